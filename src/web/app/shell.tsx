// The signed-in frame: navigation (a sidebar on laptops, a menu on phones), a skip link, and the
// page for the current path.
import { useEffect, useRef, useState } from "react";
import { Link, match, useLocation } from "../lib/router.tsx";
import { NotificationBell, NotificationsProvider } from "./notifications.tsx";
import { Admin } from "./pages/admin.tsx";
import { ClientPage, ClientsPage } from "./pages/clients.tsx";
import { Dashboard } from "./pages/dashboard.tsx";
import { KpisPage } from "./pages/kpis.tsx";
import { NotificationsPage } from "./pages/notifications.tsx";
import { PlaybookPage, Playbooks } from "./pages/playbooks.tsx";
import { ProcessPage } from "./pages/process.tsx";
import { ProjectWorkspace } from "./pages/project.tsx";
import { SignIn } from "./pages/sign-in.tsx";
import { StartOnboarding } from "./pages/start-onboarding.tsx";
import { MyWork } from "./pages/work.tsx";
import { GlobalSearch } from "./search.tsx";
import { SessionGate, useSession } from "./session.tsx";

export function App() {
  return (
    <SessionGate signIn={(done) => <SignIn onSignedIn={done} />}>
      <NotificationsProvider>
        <Shell />
      </NotificationsProvider>
    </SessionGate>
  );
}

function Page() {
  const { pathname } = useLocation();
  const path = pathname.replace(/\/+$/, "") || "/app";
  if (path === "/app") return <Dashboard />;
  if (path === "/app/work") return <MyWork />;
  if (path === "/app/kpis") return <KpisPage />;
  if (path === "/app/process") return <ProcessPage />;
  if (path === "/app/notifications") return <NotificationsPage />;
  const project = match("/app/projects/:id", path);
  if (project) return <ProjectWorkspace id={project.id ?? ""} />;
  if (path === "/app/clients") return <ClientsPage />;
  const start = match("/app/clients/:id/start", path);
  if (start) return <StartOnboarding clientId={start.id ?? ""} />;
  const client = match("/app/clients/:id", path);
  if (client) return <ClientPage id={client.id ?? ""} />;
  if (path === "/app/playbooks") return <Playbooks />;
  const playbook = match("/app/playbooks/:id", path);
  if (playbook) return <PlaybookPage id={playbook.id ?? ""} />;
  if (path === "/app/admin" || path.startsWith("/app/admin/")) return <Admin />;
  return (
    <div className="card">
      <h1>Page not found</h1>
      <p>
        There is nothing at <code>{pathname}</code>. <Link to="/app/">Go to the portfolio</Link>.
      </p>
    </div>
  );
}

const NAV = [
  { to: "/app/", label: "Portfolio", icon: "▦", active: (p: string) => p === "/app" || p === "/app/" || p.startsWith("/app/projects") },
  { to: "/app/clients", label: "Clients", icon: "◎", active: (p: string) => p.startsWith("/app/clients") },
  { to: "/app/work", label: "My work", icon: "☑", active: (p: string) => p.startsWith("/app/work") },
  { to: "/app/kpis", label: "KPIs", icon: "◔", active: (p: string) => p.startsWith("/app/kpis") },
  { to: "/app/process", label: "Process", icon: "⇄", active: (p: string) => p.startsWith("/app/process") },
  { to: "/app/playbooks", label: "Playbooks", icon: "▤", active: (p: string) => p.startsWith("/app/playbooks") },
  { to: "/app/admin", label: "Admin", icon: "⚙", active: (p: string) => p.startsWith("/app/admin"), manager: true },
];

function Shell() {
  const session = useSession();
  const { pathname } = useLocation();
  const [open, setOpen] = useState(false);
  const main = useRef<HTMLElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: close the phone menu on every navigation
  useEffect(() => setOpen(false), [pathname]);
  const manager = session.can("users:read") || session.can("people:write");
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className={`sidebar${open ? " open" : ""}`}>
        <div className="sidebar-head">
          <Link to="/app/" className="brand">
            <span className="brand-mark" aria-hidden="true">
              ✓
            </span>
            Onboard
          </Link>
          <NotificationBell />
        </div>
        <GlobalSearch />
        <button type="button" className="menu-toggle small" aria-expanded={open} aria-controls="main-nav" onClick={() => setOpen(!open)}>
          Menu
        </button>
        <nav id="main-nav" className="nav" aria-label="Main">
          {NAV.filter((n) => !n.manager || manager).map((n) => (
            <Link key={n.to} to={n.to} aria-current={n.active(pathname) ? "page" : undefined}>
              <span aria-hidden="true">{n.icon}</span>
              {n.label}
            </Link>
          ))}
        </nav>
        <div className="sidebar-foot">
          <div>
            <strong>{session.user.name}</strong>
          </div>
          <div className="small">{session.user.roles.map((r) => r.replace("_", " ")).join(", ")}</div>
          <button type="button" className="small" onClick={() => void session.signOut()}>
            Sign out
          </button>
        </div>
      </aside>
      <main id="main" ref={main} className="main" tabIndex={-1}>
        <Page />
      </main>
    </div>
  );
}
