/**
 * The resident conversation: every flow, and how menu words, menu keys, follows and QR scans
 * lead into them. A new flow is a new file plus one line in `FLOWS` (and a menu word, if any).
 */
import type { ConversationSpec, Route } from './engine/engine.js';
import { foldForMatch } from './engine/input.js';
import type { FlowDefinition, Reply } from './engine/types.js';
import { myAccountFlow } from './account/my-account.js';
import { bookingFlow } from './allocations/booking.js';
import { gatePassFlow, gateRoute } from './gates/gate-pass.js';
import { returneeFlow } from './returnees/returnee.js';
import { healthReportFlow, isSameAsYesterday } from './health/health-report.js';
import { intentOfClick, intentOfText, type Intent, type Service } from './menu.js';
import { registrationFlow } from './registration/registration.js';
import { parseScene } from './registration/scenes.js';
import { RUMOR_FLOW, rumorCheckFlow } from './rumors/check.js';
import { rumorRoute } from './rumors/route.js';
import { myRequestsFlow } from './supplies/my-requests.js';
import { stillNeededFlow } from './supplies/still-needed.js';
import { supplyRequestFlow } from './supplies/supply-request.js';
import { signUpFlow } from './volunteers/sign-up.js';
import { promptAnswerRoute, taskAnswerFlow, taskReplyOf } from './volunteers/task-replies.js';

export const FLOWS: Record<string, FlowDefinition> = Object.fromEntries(
  [
    registrationFlow,
    healthReportFlow,
    supplyRequestFlow,
    myRequestsFlow,
    stillNeededFlow,
    myAccountFlow,
    signUpFlow,
    taskAnswerFlow,
    rumorCheckFlow,
    gatePassFlow,
    returneeFlow,
    bookingFlow,
  ].map((f) => [f.id, f]),
);

/** Which flow each menu service opens; services without a flow yet say they open soon. */
const SERVICE_FLOWS: Partial<Record<Service, string>> = {
  health: 'health-report',
  supplies: 'supply-request',
  volunteer: 'volunteer-sign-up',
  rumor: RUMOR_FLOW,
  account: 'my-account',
  returnee: 'returnee',
  booking: 'booking',
};

const MENU: Reply[] = [{ key: 'common:menu' }];

const MY_REQUESTS = ['我的求助', '我的物资', '求助记录', 'my requests', 'my request', 'requests'];
const REGISTER = ['登记', '注册', '住户登记', 'register', 'registration', 'sign up'];

function fromIntent(intent: Intent): Route {
  switch (intent.kind) {
    case 'service': {
      const flow = SERVICE_FLOWS[intent.service];
      return flow
        ? { kind: 'flow', flow }
        : { kind: 'reply', replies: [{ key: 'common:coming_soon', params: { service: { key: `common:services.${intent.service}` } } }] };
    }
    case 'menu':
      return { kind: 'menu' };
    case 'language':
    case 'unknown':
      return { kind: 'unknown' };
  }
}

export const conversation: ConversationSpec = {
  flows: FLOWS,
  menu: MENU,
  route(text, ctx, input) {
    const prompted = promptAnswerRoute(text, ctx.resident.volunteer, SERVICE_FLOWS.health!);
    if (prompted) return prompted;
    const t = foldForMatch(text);
    if (MY_REQUESTS.includes(t)) return { kind: 'flow', flow: 'my-requests' };
    if (REGISTER.includes(t)) return { kind: 'flow', flow: 'registration' };
    if (isSameAsYesterday(text)) return { kind: 'flow', flow: 'health-report', carried: { reuse: true } };
    const intent = intentOfText(text);
    return (intent.kind === 'unknown' && rumorRoute(text, input)) || fromIntent(intent);
  },
  aside: taskReplyOf,
  click: (key) => fromIntent(intentOfClick(key)),
  subscribe(scene, ctx) {
    const gate = gateRoute(scene);
    if (ctx.resident.registered) return { replies: [{ key: 'common:welcome' }], ...(gate ? { route: gate } : {}) };
    const replies: Reply[] = [{ key: 'common:welcome_new' }];
    if (gate) return { replies, route: gate }; // at the gate: the pass first, registration another time
    return { replies, route: { kind: 'flow', flow: 'registration', carried: scene ? { scene } : {} } };
  },
  scan(scene, ctx) {
    const gate = gateRoute(scene);
    if (gate) return gate;
    const s = parseScene(scene);
    if (!ctx.resident.registered && (s.kind === 'community' || s.kind === 'building')) return { kind: 'flow', flow: 'registration', carried: { scene } };
    return { kind: 'menu' };
  },
};
