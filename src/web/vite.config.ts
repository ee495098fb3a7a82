// The web build: two entries from one source tree, the team's app (/app/) and the client portal
// (/portal/), so the portal's bundle carries nothing of the internal app. Output: dist/web, served
// by src/api/static.ts. `npm run dev:web` runs Vite's dev server against an API on :3000.
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const api = process.env.ONBOARD_API ?? "http://127.0.0.1:3000";
const API_PREFIXES = [
  "/auth",
  "/projects",
  "/tasks",
  "/playbooks",
  "/clients",
  "/users",
  "/people",
  "/tokens",
  "/portfolio",
  "/kpis",
  "/settings",
  "/mail",
  "/notifications",
  "/surveys",
  "/attachments",
];

export default defineConfig({
  root: here("."),
  base: "/",
  plugins: [react()],
  build: {
    outDir: here("../../dist/web"),
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      input: { app: here("app/index.html"), portal: here("portal/index.html") },
    },
  },
  server: {
    proxy: Object.fromEntries([...API_PREFIXES, "/portal/api", "/openapi.json"].map((prefix) => [prefix, api])),
  },
});
