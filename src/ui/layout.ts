import { html, type Html } from "./html.js";
import type { WebSession } from "./sessions.js";

export type Section = "services" | "history" | "stats" | "keys" | "login";

/** The page shell: navigation, who is logged in, logout (a POST with the CSRF token). */
export function page(title: string, section: Section, session: WebSession | null, body: Html): Html {
  const nav = session === null ? html`` : html`
    <nav aria-label="Main">
      <a href="/" ${current(section, "services")}>Services</a>
      <a href="/history" ${current(section, "history")}>History</a>
      <a href="/stats" ${current(section, "stats")}>Stats</a>
      ${session.principal.scope === "admin" ? html`<a href="/keys" ${current(section, "keys")}>API keys</a>` : ""}
    </nav>
    <span class="who">${session.principal.name} (${session.principal.scope})
      <form class="inline" method="post" action="/logout"><input type="hidden" name="csrf" value="${session.csrf}"><button type="submit">Log out</button></form>
    </span>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"selfRequestsOnly":true}'>
<title>${title} · svcmgr</title>
<link rel="stylesheet" href="/ui/app.css">
<script src="/ui/htmx.min.js" defer></script>
<script src="/ui/app.js" defer></script>
</head>
<body>
<header><strong>svcmgr</strong>${nav}</header>
<main id="main">${body}</main>
</body>
</html>`;
}

function current(section: Section, mine: Section): Html {
  return section === mine ? html`aria-current="page"` : html``;
}

export function notice(kind: "ok" | "error", text: string | null | undefined): Html {
  return text === null || text === undefined || text === "" ? html`` : html`<p class="notice ${kind}" role="${kind === "error" ? "alert" : "status"}">${text}</p>`;
}
