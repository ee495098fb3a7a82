#!/usr/bin/env node
// Entry point for `npx onboard`. npm puts the project's own Node 24 (the `node` dev dependency)
// first on PATH for npx and npm scripts; Onboard's sources are TypeScript run by Node 24 directly.
const major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  process.stderr.write(
    `onboard needs Node.js 24 or newer; this is ${process.version}.\n` +
      "Run it as `npx onboard ...` or `npm run onboard -- ...` from the checkout (they use the project's Node 24),\n" +
      "or install Node 24 LTS.\n",
  );
  process.exit(2);
}
// Node caches the compiled (and type-stripped) modules on disk: a command after the first starts
// in about half the time (issue #18: `onboard lint` from the shell). NODE_COMPILE_CACHE moves the
// folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
const { enableCompileCache } = await import("node:module");
enableCompileCache?.();
const { runCli } = await import("../src/cli/main.ts");
await runCli();
