import { Types } from 'mongoose';
import type { Notice } from '../../models/notice.js';
import { AppError } from '../errors.js';
import type { Actor } from '../staff/access.js';
import { applyTransition, createSubject } from '../audit/workflow.js';
import { fieldDiff } from '../audit/diff.js';
import { CONTENT_FIELDS, loadNotice, noticeTarget, type NoticeDeps } from './deps.js';
import { validateTargets } from './targets.js';
import { parseCreate, parsePatch } from './validate.js';

export interface NoticeRef {
  id: string;
  status: Notice['status'];
  version: number;
  round: number;
}
export const ref = (n: Notice): NoticeRef => ({ id: String(n._id), status: n.status, version: n.version, round: n.round });

/**
 * `POST /api/notices`: a draft in the author's scope (the targets must lie inside it). The
 * `create` audit entry carries the full initial content as a diff from nothing.
 */
export async function createNotice(deps: NoticeDeps, actor: Actor, raw: unknown): Promise<NoticeRef> {
  const input = parseCreate(raw, deps.clock.now());
  await validateTargets(deps.models, actor, input.targets);
  const content = { title: input.title, body: input.body, targets: input.targets, urgent: input.urgent, sendAt: input.sendAt };
  const notice = await createSubject<Notice>(
    deps,
    noticeTarget(deps.models),
    actor,
    { _id: new Types.ObjectId(), ...content, scope: { ...actor.scope } },
    { diff: fieldDiff({}, content, CONTENT_FIELDS) },
  );
  return ref(notice);
}

/**
 * `PATCH /api/notices/:id`: the author changes their draft (403 not_author for anyone else, 409
 * once it has been verified). The change is recorded as an `update` entry with its diff; a patch
 * that changes nothing records nothing.
 */
export async function updateNotice(deps: NoticeDeps, actor: Actor, id: string, raw: unknown): Promise<NoticeRef> {
  const notice = await loadNotice(deps.models, id);
  if (notice.authorId !== actor.id) throw new AppError('not_author', 'only the author may change a draft notice; reviewers use edit');
  const input = parsePatch(raw, deps.clock.now());
  if (input.targets) await validateTargets(deps.models, actor, input.targets);
  const { comment, version, ...changes } = input;
  const diff = fieldDiff(notice as unknown as Record<string, unknown>, changes, CONTENT_FIELDS);
  if (!diff) {
    const stale = version !== undefined && version !== notice.version;
    if (notice.status !== 'draft' || stale)
      throw new AppError(
        'conflict_state',
        stale ? `this notice is at version ${notice.version}, not ${version}` : `cannot update a notice that is ${notice.status}`,
        { status: notice.status, version: notice.version },
      );
    return ref(notice);
  }
  return ref(
    await applyTransition(deps, noticeTarget(deps.models), notice, actor, {
      action: 'update',
      from: ['draft'],
      to: 'draft',
      diff,
      comment,
      expectedVersion: version,
    }),
  );
}
