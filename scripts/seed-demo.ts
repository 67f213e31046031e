import { runCli } from './cli.js';
import { seedDemo, seedDemoFactChecks, DEMO } from '../handlers/places/seed-demo.js';
import { loadStarterFacts } from './data/fact-checks.js';

/** `npm run seed:demo`: the demo street, community, staff accounts (prints fresh tokens) and the starter fact base. */
await runCli('usage: npm run seed:demo   (needs MONGODB_URI)', async ({ models }) => {
  const staff = await seedDemo(models);
  process.stdout.write(`seeded street ${DEMO.street.code}, community ${DEMO.community.code} (buildings ${DEMO.buildings.map((b) => b.code).join(', ')})\n`);
  for (const s of staff) process.stdout.write(`${s.role.padEnd(15)} ${s.name.padEnd(20)} [${s.duties.join(',')}] ${s.token}\n`);
  const facts = await seedDemoFactChecks(models, loadStarterFacts());
  process.stdout.write(`fact-checks: ${facts.imported.length} imported, ${facts.unchanged} already there\n`);
});
