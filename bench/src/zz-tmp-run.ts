import { benchmarks } from './webhooks';
const rows = await benchmarks[0]!.run();
console.log(JSON.stringify(rows, null, 1));
process.exit(0);
