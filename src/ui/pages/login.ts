import { html, type Html } from "../html.js";
import { notice } from "../layout.js";

/** Log in with an API key (`svcmgr apikey create NAME --scope read`); the key is exchanged for a session. */
export function loginPage(error: string | null): Html {
  return html`<div class="login card">
<h1>Log in</h1>
${notice("error", error)}
<form method="post" action="/login">
<p><label for="key">API key</label><br><input id="key" name="key" type="password" autocomplete="off" required autofocus spellcheck="false"></p>
<p><button type="submit" class="primary">Log in</button></p>
</form>
<p class="small muted">Create a key on the node: <code>svcmgr apikey create NAME --scope read</code>. The key is checked once and exchanged for a session cookie; its scope and services apply to every page.</p>
</div>`;
}
