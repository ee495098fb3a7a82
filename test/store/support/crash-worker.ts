// A worker process for the crash test: sends the scripted commands from `from` onwards to one
// project, each with its own idempotency key, and prints "ACK n" once command n has committed.
// The parent kills it with SIGKILL at random moments and starts another from the last ACK + 1.
import { openDatabase, parseDatabaseTarget } from "../../../src/store/database.ts";
import { ProjectService } from "../../../src/store/project-service.ts";
import { CRASH_PROJECT, crashPlaybook, crashScript, crashStart } from "./crash-script.ts";

const [target = "", fromText = "0"] = process.argv.slice(2);
const database = await openDatabase(parseDatabaseTarget(target));
const service = new ProjectService(database);
const playbook = await service.publishPlaybook(crashPlaybook(), { file: "crash.yaml", now: crashStart().now });
const from = Number(fromText);
if (from === 0) {
  await service.startProject({ playbook, input: crashStart().input, idempotencyKey: "start", now: crashStart().now });
  process.stdout.write("ACK -1\n");
}
const script = crashScript();
for (let n = Math.max(0, from); n < script.length; n++) {
  const step = script[n];
  if (!step) break;
  await service.runCommand(CRASH_PROJECT, { command: step.command, actor: step.actor, idempotencyKey: `cmd-${n}`, now: step.now });
  process.stdout.write(`ACK ${n}\n`);
}
await database.close();
process.stdout.write("DONE\n");
