import { runCli } from './cli.js';
import { seedDemo, DEMO } from '../handlers/places/seed-demo.js';

/** `npm run seed:demo`: the demo street, community and staff accounts (prints fresh tokens). */
await runCli('usage: npm run seed:demo   (needs MONGODB_URI)', async ({ models }) => {
  const staff = await seedDemo(models);
  process.stdout.write(`seeded street ${DEMO.street.code}, community ${DEMO.community.code} (buildings ${DEMO.buildings.map((b) => b.code).join(', ')})\n`);
  for (const s of staff) process.stdout.write(`${s.role.padEnd(15)} ${s.name.padEnd(20)} [${s.duties.join(',')}] ${s.token}\n`);
});
