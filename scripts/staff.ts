import { parseArgs } from 'node:util';
import { runCli, UsageError } from './cli.js';
import { createStaff, listStaff, revokeStaff } from '../handlers/staff/accounts.js';
import { ROLES, DUTIES } from '../models/staff-user.js';

const USAGE = `usage:
  npm run staff -- create --name NAME --role ROLE [--street CODE] [--community CODE [--building CODE]] [--duties verify,edit,release] [--wecom USERID]
  npm run staff -- list
  npm run staff -- revoke ID_OR_TOKEN_HINT

roles:  ${ROLES.join(', ')}
duties: ${DUTIES.join(', ')}
Needs MONGODB_URI (npm start prints it).`;

await runCli(USAGE, async ({ models }) => {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'create': {
      let values;
      try {
        ({ values } = parseArgs({
          args: rest,
          options: {
            name: { type: 'string' },
            role: { type: 'string' },
            street: { type: 'string' },
            community: { type: 'string' },
            building: { type: 'string' },
            duties: { type: 'string' },
            wecom: { type: 'string' },
          },
          strict: true,
          allowPositionals: false,
        }));
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      if (!values.name) throw new UsageError('--name is required');
      if (!values.role) throw new UsageError('--role is required');
      const { staff, token } = await createStaff(models, {
        name: values.name,
        role: values.role,
        streetCode: values.street,
        communityCode: values.community,
        buildingCode: values.building,
        duties: values.duties
          ? values.duties
              .split(',')
              .map((d) => d.trim())
              .filter(Boolean)
          : [],
        wecomUserId: values.wecom,
      });
      const scope = staff.scope?.buildingCode
        ? `building ${staff.scope.communityCode}/${staff.scope.buildingCode}`
        : staff.scope?.communityCode
          ? `community ${staff.scope.communityCode}`
          : staff.scope?.streetCode
            ? `street ${staff.scope.streetCode}`
            : 'platform';
      process.stdout.write(`created ${staff.role} "${staff.name}" (${String(staff._id)}), scope ${scope}, duties [${(staff.duties ?? []).join(',')}]\n`);
      process.stdout.write('bearer token (shown once; store it now):\n');
      process.stdout.write(`${token}\n`);
      return;
    }
    case 'list': {
      if (rest.length) throw new UsageError(`list takes no arguments (got ${rest.join(' ')})`);
      const all = await listStaff(models);
      if (!all.length) process.stdout.write('no staff accounts\n');
      for (const s of all) {
        const scope = [s.scope?.streetCode, s.scope?.communityCode, s.scope?.buildingCode].filter(Boolean).join('/') || '*';
        process.stdout.write(
          `${String(s._id)}  ${s.tokenHint}…  ${s.role.padEnd(14)} ${scope.padEnd(16)} [${(s.duties ?? []).join(',')}]  ${s.name}${s.wecomUserId ? `  (WeCom ${s.wecomUserId})` : ''}${s.revokedAt ? '  (revoked)' : ''}\n`,
        );
      }
      return;
    }
    case 'revoke': {
      if (rest.length !== 1) throw new UsageError('revoke takes one account id or token hint');
      const s = await revokeStaff(models, rest[0]!, new Date());
      process.stdout.write(`revoked ${s.role} "${s.name}" (${String(s._id)})\n`);
      return;
    }
    default:
      throw new UsageError(command ? `unknown command "${command}"` : 'a command is required');
  }
});
