// Playbooks the benchmarks run: the test fixture, read from the repository.
import { readFileSync } from "node:fs";

export const MINIMAL_PLAYBOOK = readFileSync(new URL("../test/fixtures/minimal.yaml", import.meta.url), "utf8");
