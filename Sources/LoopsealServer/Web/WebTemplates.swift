/// The web pages' templates and stylesheet, kept in the binary. `{{…}}` escapes HTML; `{{{…}}}`
/// is used only for markup the server produced itself (the page body, rendered Markdown).
/// Pages hold no inline style or script, so the Content-Security-Policy can forbid both.
enum WebTemplates {
    /// The frame around every page: `title`, `viewer` (`name`, `role`, `csrf`) and `body`.
    static let layout = """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>{{title}} · Loopseal</title>
    <link rel="stylesheet" href="/static/app.css">
    </head>
    <body>
    <header class="top">
    <a class="brand" href="/">Loopseal</a>
    {{#if viewer}}
    <span class="viewer">{{viewer.name}} <span class="role">{{viewer.role}}</span></span>
    <form method="post" action="/signout" class="inline">
    {{> csrf viewer}}
    <button type="submit" class="link">Sign out</button>
    </form>
    {{/if}}
    </header>
    <main>
    {{{body}}}
    </main>
    </body>
    </html>

    """

    /// The hidden CSRF field every form carries; its context has `csrf`.
    static let csrfField = """
    <input type="hidden" name="csrf" value="{{csrf}}">
    """

    /// A Stored/Missing badge; its context has `hasValue`.
    static let keyBadge = """
    {{#if hasValue}}<span class="badge stored">Stored</span>{{else}}<span class="badge missing">Missing</span>{{/if}}
    """

    /// A secret-request form: `label`, `action`, `csrf`, `fields` (`id`, `name`, `key`,
    /// `description`, `hasValue`). Each secret is a `textarea` (so a pasted PEM keeps its lines)
    /// masked by the stylesheet; the Show checkbox before it unmasks it through a sibling
    /// selector, with no script. It says how values and line breaks are stored, and that an
    /// empty field keeps a stored value.
    static let secretForm = """
    <form method="post" action="{{action}}" class="card" autocomplete="off">
    {{> csrf}}
    <p class="hint" id="secret-format">Each value is stored exactly as entered: spaces, tabs and several lines (a PEM key) are kept. Line breaks are stored as LF: browsers send CR LF, Loopseal turns each into LF. Values stay hidden until you tick Show.</p>
    {{#each fields}}
    <div class="field">
    <label for="{{id}}"><code>{{key}}</code>{{#if description}} <span class="description">{{description}}</span>{{/if}}</label>
    {{#if hasValue}}<p class="hint"><span class="badge stored">Stored</span> Leave empty to keep the stored value.</p>{{/if}}
    <input type="checkbox" id="{{id}}-show" class="reveal">
    <label for="{{id}}-show" class="reveal">Show</label>
    <textarea id="{{id}}" name="{{name}}" class="secret" rows="3" wrap="off" autocomplete="off" autocapitalize="off" spellcheck="false" aria-describedby="secret-format"{{#unless hasValue}} required{{/unless}}></textarea>
    </div>
    {{/each}}
    <button type="submit">{{label}}</button>
    </form>
    """

    /// Sign-in: `csrf`, optional `error`.
    static let signIn = """
    <h1>Sign in</h1>
    {{#if error}}<p class="alert" role="alert">{{error}}</p>{{/if}}
    <form method="post" action="/signin" class="card" autocomplete="off">
    {{> csrf}}
    <label for="token">API token</label>
    <input id="token" type="password" name="token" autocomplete="off" spellcheck="false" required autofocus>
    <button type="submit">Sign in</button>
    </form>
    <p class="hint">Create a token with <code>loopseal token create --workspace ID --role writer</code>.</p>

    """

    /// The workspaces a token sees: `workspaces` (`id`, `href`).
    static let workspaces = """
    <h1>Workspaces</h1>
    {{#if workspaces}}
    <ul class="links">
    {{#each workspaces}}<li><a href="{{href}}">{{id}}</a></li>
    {{/each}}
    </ul>
    {{else}}
    <p>This token is not scoped to any workspace.</p>
    {{/if}}

    """

    /// One workspace: `workspace`, `keys` (`key`, `hasValue`, `owner`, `expires`, `rotateEvery`,
    /// `rotated`, `description`), `runs` (`id`, `href`, `workflow`,
    /// `status`, `place`, `updatedAt`), optional `start` (`action`, `csrf`, `workflows`).
    static let workspace = """
    <nav class="crumbs"><a href="/workspaces">Workspaces</a></nav>
    <h1>{{workspace}}</h1>
    <section>
    <h2>Secrets</h2>
    {{#if keys}}
    <table>
    <thead><tr><th>Key</th><th>Value</th><th>Owner</th><th>Expires</th><th>Rotate every</th><th>Last rotated</th><th>Description</th></tr></thead>
    <tbody>
    {{#each keys}}<tr><td><code>{{key}}</code></td><td>{{> badge}}</td><td>{{owner}}</td><td>{{expires}}</td><td>{{rotateEvery}}</td><td>{{rotated}}</td><td>{{description}}</td></tr>
    {{/each}}
    </tbody>
    </table>
    {{else}}
    <p>No secrets yet.</p>
    {{/if}}
    </section>
    <section>
    <h2>Runs</h2>
    {{#if runs}}
    <table>
    <thead><tr><th>Run</th><th>Workflow</th><th>Status</th><th>Place</th><th>Updated</th></tr></thead>
    <tbody>
    {{#each runs}}<tr><td><a href="{{href}}"><code>{{id}}</code></a></td><td>{{workflow}}</td><td><span class="badge status-{{status}}">{{status}}</span></td><td><code>{{place}}</code></td><td>{{updatedAt}}</td></tr>
    {{/each}}
    </tbody>
    </table>
    {{else}}
    <p>No runs yet.</p>
    {{/if}}
    </section>
    {{#if start}}
    <section>
    <h2>Start a run</h2>
    {{#if start.workflows}}
    <form method="post" action="{{start.action}}" class="card">
    {{> csrf start}}
    <label for="workflow">Workflow</label>
    <select id="workflow" name="workflow">
    {{#each start.workflows}}<option value="{{name}}">{{name}}{{#if title}} — {{title}}{{/if}}</option>
    {{/each}}
    </select>
    <label for="input">Input <span class="hint">(optional JSON object, the run's <code>args</code>)</span></label>
    <textarea id="input" name="input" rows="3" spellcheck="false"></textarea>
    <button type="submit">Start run</button>
    </form>
    {{else}}
    <p>No workflows under <code>workflows/</code>.</p>
    {{/if}}
    </section>
    {{/if}}

    """

    /// One run: `workspace`, `workspaceHref`, `run` (`id`, `workflow`, `status`, `place`, `error`,
    /// `createdAt`, `updatedAt`), optional `parent` (the run that started it: `id`, `transition`,
    /// and `href`, `workflow`, `status` or `missing`), optional `pending` (the child run it waits
    /// on, the same fields, and `form`: the child's ``secretForm`` shown inline), `documents`
    /// (`type`, `transition`, and `html` or, for a `workflow_link`, `link`: the child run as
    /// `parent` is), `history`, optional `secretForm` (see ``secretForm``), `actions` (`label`,
    /// `action`, `csrf`) and `readOnly`.
    static let run = """
    <nav class="crumbs"><a href="/workspaces">Workspaces</a> / <a href="{{workspaceHref}}">{{workspace}}</a></nav>
    <h1>Run <code>{{run.id}}</code></h1>
    <dl class="facts">
    <dt>Workflow</dt><dd>{{run.workflow}}</dd>
    <dt>Status</dt><dd><span class="badge status-{{run.status}}">{{run.status}}</span></dd>
    <dt>Place</dt><dd><code>{{run.place}}</code></dd>
    {{#if parent}}<dt>Parent</dt><dd class="parent">Child of run {{#if parent.href}}<a href="{{parent.href}}"><code>{{parent.id}}</code></a> ({{parent.workflow}}, <span class="badge status-{{parent.status}}">{{parent.status}}</span>){{else}}<code>{{parent.id}}</code> (its run file is gone){{/if}}, started by its transition <code>{{parent.transition}}</code></dd>{{/if}}
    {{#if run.error}}<dt>Error</dt><dd class="alert">{{run.error}}</dd>{{/if}}
    <dt>Started</dt><dd>{{run.createdAt}}</dd>
    <dt>Updated</dt><dd>{{run.updatedAt}}</dd>
    </dl>
    {{#if pending}}
    <section class="widget child-run">
    <h2>Waiting on child run {{#if pending.href}}<a href="{{pending.href}}"><code>{{pending.id}}</code></a>{{else}}<code>{{pending.id}}</code>{{/if}}</h2>
    <p class="hint">This run is pending: its transition <code>{{pending.transition}}</code> started {{#if pending.missing}}child run <code>{{pending.id}}</code>, whose run file is gone{{else}}a run of <code>{{pending.workflow}}</code>, now <span class="badge status-{{pending.status}}">{{pending.status}}</span>{{/if}}. It goes on by itself once that run finishes.</p>
    {{#if pending.form}}
    <h3>{{pending.form.label}}</h3>
    {{> secretForm pending.form}}
    {{/if}}
    </section>
    {{/if}}
    {{#if secretForm}}
    <section class="widget">
    <h2>{{secretForm.label}}</h2>
    {{> secretForm secretForm}}
    </section>
    {{/if}}
    {{#if actions}}
    <section class="widget">
    <h2>Actions</h2>
    <div class="actions">
    {{#each actions}}<form method="post" action="{{action}}" class="inline">
    {{> csrf}}
    <button type="submit">{{label}}</button>
    </form>
    {{/each}}
    </div>
    </section>
    {{/if}}
    {{#if readOnly}}<p class="hint">This token can read only: a writer token can act on this run.</p>{{/if}}
    <section>
    <h2>Documents</h2>
    {{#each documents}}
    <article class="document doc-{{type}}">
    <header>{{type}} <span class="hint">from <code>{{transition}}</code></span></header>
    {{#if link}}<p class="child-link">Child run {{#if link.href}}<a href="{{link.href}}"><code>{{link.id}}</code></a> of workflow <code>{{link.workflow}}</code>: <span class="badge status-{{link.status}}">{{link.status}}</span>{{else}}<code>{{link.id}}</code>: its run file is gone{{/if}}</p>{{else}}<div class="markdown">{{{html}}}</div>{{/if}}
    </article>
    {{else}}
    <p>No documents yet.</p>
    {{/each}}
    </section>
    {{#if history}}
    <section>
    <h2>History</h2>
    <table>
    <thead><tr><th>Transition</th><th>From</th><th>To</th><th>At</th><th></th></tr></thead>
    <tbody>
    {{#each history}}<tr><td><code>{{transition}}</code>{{#if manual}} <span class="hint">manual</span>{{/if}}</td><td><code>{{from}}</code></td><td><code>{{to}}</code></td><td>{{at}}</td><td>{{#if error}}<span class="alert">{{error}}</span>{{/if}}</td></tr>
    {{/each}}
    </tbody>
    </table>
    </section>
    {{/if}}

    """

    /// An error: `status`, `title`, `message`, `signIn` (show a sign-in link).
    static let error = """
    <h1>{{status}} {{title}}</h1>
    <p class="alert" role="alert">{{message}}</p>
    <p>{{#if signIn}}<a href="/signin">Sign in</a>{{else}}<a href="/workspaces">Back to the workspaces</a>{{/if}}</p>

    """

    /// `/static/app.css`.
    static let stylesheet = """
    :root { color-scheme: light dark; --fg: #1d232a; --bg: #fbfbfc; --muted: #5f6b76; --line: #d9dee3;
      --accent: #1f5fbf; --ok: #1e7a3c; --warn: #a35200; --bad: #b3261e; --card: #ffffff; }
    @media (prefers-color-scheme: dark) {
      :root { --fg: #e6e9ec; --bg: #15191d; --muted: #9aa5af; --line: #2f363d; --accent: #7fb0ff;
        --ok: #5fcf83; --warn: #f0a050; --bad: #ff8a80; --card: #1c2126; }
    }
    * { box-sizing: border-box; }
    body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
    header.top { display: flex; gap: 1rem; align-items: center; padding: .6rem 1.5rem; border-bottom: 1px solid var(--line); }
    header.top .brand { font-weight: 700; text-decoration: none; color: var(--fg); margin-right: auto; }
    .viewer { color: var(--muted); }
    .role { font-size: .8em; border: 1px solid var(--line); border-radius: 4px; padding: 0 .3em; }
    main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
    a { color: var(--accent); }
    code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .92em; }
    table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
    th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
    th { color: var(--muted); font-weight: 600; }
    .badge { display: inline-block; font-size: .8em; padding: .05em .5em; border-radius: 999px; border: 1px solid currentColor; }
    .stored, .status-completed { color: var(--ok); }
    .missing, .status-waiting, .status-running, .status-pending { color: var(--warn); }
    .status-failed, .alert { color: var(--bad); }
    .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; max-width: 36rem; }
    form label { display: block; margin: .6rem 0 .2rem; }
    input[type=password], select, textarea { width: 100%; padding: .4rem .5rem; font: inherit; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
    button { margin-top: .8rem; font: inherit; padding: .35rem .9rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: var(--bg); cursor: pointer; }
    button.link { margin: 0; background: none; border: none; color: var(--accent); padding: 0; }
    form.inline { display: inline; }
    .actions { display: flex; gap: .6rem; flex-wrap: wrap; }
    .field { display: grid; grid-template-columns: max-content 1fr; align-items: center; column-gap: .4rem; margin-bottom: .8rem; }
    form.card > p.hint { margin-top: 0; }
    .field > * { grid-column: 1 / -1; }
    .field > p.hint { margin: 0 0 .3rem; }
    .field > input.reveal { grid-column: 1; grid-row: 9; margin: .3rem 0 0; }
    .field > label.reveal { grid-column: 2; grid-row: 9; margin: .3rem 0 0; font-size: .9em; color: var(--muted); }
    textarea.secret { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; white-space: pre; overflow-wrap: normal; resize: vertical; -webkit-text-security: disc; }
    @supports not (-webkit-text-security: disc) { textarea.secret { color: transparent; text-shadow: 0 0 .5em var(--fg); } }
    input.reveal:checked ~ textarea.secret { -webkit-text-security: none; color: var(--fg); text-shadow: none; }
    .hint, .description { color: var(--muted); font-size: .9em; }
    .crumbs { color: var(--muted); font-size: .9em; }
    .facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
    .facts dt { color: var(--muted); }
    .facts dd { margin: 0; }
    .document { border: 1px solid var(--line); border-radius: 8px; margin: .8rem 0; background: var(--card); }
    .document > header { padding: .3rem .8rem; border-bottom: 1px solid var(--line); font-size: .85em; color: var(--muted); }
    .document .markdown { padding: 0 .8rem; overflow-wrap: anywhere; }
    .doc-error { border-color: var(--bad); }
    .document .child-link { padding: 0 .8rem; }
    .child-run h3 { font-size: 1em; margin: .8rem 0 .4rem; }
    ul.links li { margin: .3rem 0; }

    """
}
