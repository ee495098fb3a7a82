import { readFileSync, readdirSync } from "node:fs";
const dir = process.argv[2];
const file = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile")).sort().at(-1);
const prof = JSON.parse(readFileSync(`${dir}/${file}`, "utf8"));
const self = new Map(); const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const dt = prof.timeDeltas; let i = 0;
for (const s of prof.samples) { const n = byId.get(s); const k = `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + (dt[i++] ?? 0)); }
const total = [...self.values()].reduce((a, b) => a + b, 0);
console.log("total ms", Math.round(total / 1000));
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(Math.round(v / 1000), k);
