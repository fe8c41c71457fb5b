// SPDX-License-Identifier: GPL-2.0-or-later
// tests/md/render.mjs - checks Markdown reports the way GitHub shows them.
//
//   node render.mjs [--shots DIR] FILE.md...
//
// For every file:
//  1. GFM tables, by the GFM spec's own rules (section 4.10): a header
//     row, a delimiter row with the same cell count, every body row with
//     that count too (cells split on pipes that are not backslash-
//     escaped, code spans included), a blank line before and after.
//  2. The same Markdown through micromark with its GFM extension (a
//     CommonMark/GFM reference parser): as many <table>s as step 1
//     found, each row with the header's cell count; only the HTML tags
//     Markdown itself makes (any other tag means a string of the report
//     reached the page as HTML); every ```mermaid block kept as such;
//     every link to #connection-N has its "Connection N" heading.
//  3. Every ```mermaid block through the real mermaid library in
//     headless Chromium (one browser, one page for all files):
//     mermaid.parse() then mermaid.render(); any error fails the file,
//     and the drawing must hold one message per arrow of the source.
// With --shots DIR, each report is also written as DIR/NAME.html (the
// diagrams drawn in place) and DIR/NAME.png (a screenshot), to look at.
//
// Dependencies come from $TD_NODE_CACHE (default
// ~/.cache/tlsdiag-md/node_modules, filled by tests/md/install.sh);
// Chromium from $TD_CHROMIUM (default Debian's).  Exit status: 0 all
// good, 1 a check failed, 77 (automake: skipped) a dependency is missing.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { homedir } from 'node:os';
import { pathToFileURL } from 'node:url';

const SKIP = 77;
const cache = process.env.TD_NODE_CACHE || join(homedir(), '.cache', 'tlsdiag-md', 'node_modules');
const args = process.argv.slice(2);
let shots = null;
if (args[0] === '--shots') {
  shots = args[1];
  args.splice(0, 2);
}
if (args.length === 0) {
  console.error('usage: render.mjs [--shots DIR] FILE.md...');
  process.exit(2);
}

function skip(why) {
  console.log(`SKIPPED: ${why}`);
  process.exit(SKIP);
}

if (!existsSync(cache)) skip(`no node modules at ${cache} (run tests/md/install.sh)`);
const req = createRequire(join(cache, 'noop.js'));
let mermaidJs, chromium, micromark, gfm, gfmHtml;
try {
  mermaidJs = req.resolve('mermaid/dist/mermaid.min.js');
  ({ chromium } = req('playwright-core'));
  ({ micromark } = await import(pathToFileURL(req.resolve('micromark')).href));
  ({ gfm, gfmHtml } = await import(pathToFileURL(req.resolve('micromark-extension-gfm')).href));
} catch (e) {
  skip(`a module is missing from ${cache}: ${e.message.split('\n')[0]}`);
}
const mermaidVersion = JSON.parse(readFileSync(req.resolve('mermaid/package.json'), 'utf8')).version;
const browserPath = process.env.TD_CHROMIUM ||
  ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p));
if (!browserPath || !existsSync(browserPath)) skip('no Chromium (apt-get install chromium)');

// ---- 1. GFM tables, by the spec ----

// Cells of a table row: split on pipes not escaped by a backslash.
function cells(line) {
  let s = line.trim();
  const out = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) {
      cur += s[i] + s[i + 1];
      i++;
    } else if (s[i] === '|') {
      out.push(cur);
      cur = '';
    } else {
      cur += s[i];
    }
  }
  out.push(cur);
  // A leading and a trailing pipe open and close the row.
  if (s.startsWith('|')) out.shift();
  if (s.endsWith('|') && !s.endsWith('\\|')) out.pop();
  return out;
}

const isRow = (l) => /^\s{0,3}\|/.test(l);
const isDelim = (l) => isRow(l) && cells(l).every((c) => /^\s*:?-+:?\s*$/.test(c));

// Lines outside fenced code blocks, and the fenced blocks themselves.
function scan(md) {
  const lines = md.split('\n');
  const fences = [];
  const inFence = new Array(lines.length).fill(false);
  for (let i = 0; i < lines.length; i++) {
    const m = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)/.exec(lines[i]);
    if (!m) continue;
    const start = i;
    const body = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = new RegExp(`^ {0,3}${m[1][0] === '`' ? '`' : '~'}{${m[1].length},}\\s*$`);
      if (close.test(lines[j])) break;
      body.push(lines[j]);
    }
    for (let k = start; k <= j && k < lines.length; k++) inFence[k] = true;
    fences.push({ info: m[2], line: start + 1, text: body.join('\n'), closed: j < lines.length });
    i = j;
  }
  return { lines, fences, inFence };
}

function checkTables(md, errs) {
  const { lines, inFence } = scan(md);
  const tables = [];
  for (let i = 0; i < lines.length; i++) {
    if (inFence[i] || !isRow(lines[i])) continue;
    const where = `line ${i + 1}`;
    if (i + 1 >= lines.length || !isDelim(lines[i + 1])) {
      errs.push(`${where}: a table row without a table (no delimiter row under a header)`);
      continue;
    }
    const n = cells(lines[i]).length;
    const nd = cells(lines[i + 1]).length;
    if (nd !== n) errs.push(`${where}: header has ${n} cells, delimiter row ${nd}`);
    if (i > 0 && lines[i - 1].trim() !== '')
      errs.push(`${where}: no blank line before the table`);
    const rows = [];
    let j = i + 2;
    for (; j < lines.length && lines[j].trim() !== ''; j++) {
      if (!isRow(lines[j])) {
        errs.push(`line ${j + 1}: text right after a table (it would become a row)`);
        break;
      }
      const k = cells(lines[j]).length;
      if (k !== n) errs.push(`line ${j + 1}: ${k} cells, the header has ${n}`);
      rows.push(k);
    }
    tables.push({ line: i + 1, cols: n, rows: rows.length });
    i = j;
  }
  return tables;
}

// ---- 2. the reference parser ----

const ALLOWED = new Set(['h1', 'h2', 'h3', 'h4', 'p', 'ul', 'ol', 'li', 'strong', 'em', 'code', 'pre',
  'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'details', 'summary', 'blockquote', 'del']);

function checkHtml(md, tables, fences, errs) {
  const html = micromark(md, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
  for (const m of html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)/g)) {
    // micromark writes a hard line break (backslash, newline) as "<br />".
    if (m[1] === 'br' && html.startsWith('<br />', m.index)) continue;
    if (!ALLOWED.has(m[1].toLowerCase())) {
      const at = html.slice(Math.max(0, m.index - 40), m.index + 40).replace(/\n/g, ' ');
      errs.push(`HTML tag <${m[1]}> in the rendered page (a string reached it unescaped): ...${at}...`);
    }
  }
  const got = [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map((m) => m[1]);
  if (got.length !== tables.length)
    errs.push(`micromark made ${got.length} tables, the source has ${tables.length}`);
  got.forEach((t, i) => {
    const rows = [...t.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => (r[1].match(/<t[hd][ >]/g) || []).length);
    const want = tables[i] ? tables[i].cols : rows[0];
    if (tables[i] && rows.length !== tables[i].rows + 1)
      errs.push(`table ${i + 1} (line ${tables[i].line}): ${rows.length - 1} body rows rendered, ${tables[i].rows} written`);
    rows.forEach((k, r) => {
      if (k !== want) errs.push(`table ${i + 1}: rendered row ${r} has ${k} cells, want ${want}`);
    });
  });
  const mm = fences.filter((f) => f.info === 'mermaid');
  const rendered = (html.match(/<pre><code class="language-mermaid">/g) || []).length;
  if (rendered !== mm.length) errs.push(`${rendered} mermaid blocks rendered, ${mm.length} written`);
  for (const f of fences) if (!f.closed) errs.push(`line ${f.line}: code block never closed`);
  // Links inside the report point at headings that exist (GitHub's
  // anchors: lower case, blanks to hyphens, punctuation dropped).
  const anchors = new Set();
  for (const m of md.matchAll(/^#{1,6} +(.+)$/gm))
    anchors.add(m[1].trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'));
  for (const m of md.matchAll(/\]\(#([^)]+)\)/g))
    if (!anchors.has(m[1])) errs.push(`link to #${m[1]} has no heading`);
  return html;
}

// ---- 3. mermaid in Chromium ----

const arrowRe = /^\s*[A-Za-z]+\s*(-->>|->>|--x|-x|--\)|-\)|-->|->)\s*[A-Za-z]+\s*:/;

async function renderAll(page, diagrams) {
  return page.evaluate(async (ds) => {
    const out = [];
    for (let i = 0; i < ds.length; i++) {
      try {
        await window.mermaid.parse(ds[i]);
        const { svg } = await window.mermaid.render(`d${i}`, ds[i]);
        const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
        const msgs = doc.querySelectorAll('.messageText').length;
        const err = svg.includes('Syntax error') || doc.querySelector('parsererror') !== null;
        out.push({ ok: !err, msgs, svg, err: err ? 'the drawing is an error message' : '' });
      } catch (e) {
        out.push({ ok: false, err: String((e && e.message) || e) });
      }
    }
    return out;
  }, diagrams);
}

const t0 = Date.now();
const files = args.map((path) => ({ path, name: basename(path), md: readFileSync(path, 'utf8'), errs: [] }));
const all = [];
for (const f of files) {
  f.tables = checkTables(f.md, f.errs);
  const { fences } = scan(f.md);
  f.html = checkHtml(f.md, f.tables, fences, f.errs);
  f.diagrams = fences.filter((x) => x.info === 'mermaid');
  for (const d of f.diagrams) {
    d.arrows = d.text.split('\n').filter((l) => arrowRe.test(l)).length;
    all.push({ file: f, d });
  }
}

const browser = await chromium.launch({
  executablePath: browserPath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 60000,
});
let results;
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>');
  await page.addScriptTag({ path: mermaidJs });
  // GitHub draws with securityLevel strict; so do we.
  await page.evaluate(() => window.mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' }));
  results = await renderAll(page, all.map((x) => x.d.text));
  all.forEach((x, i) => {
    const r = results[i];
    x.d.svg = r.svg;
    if (!r.ok) x.file.errs.push(`mermaid block at line ${x.d.line}: ${r.err.split('\n').slice(0, 4).join(' / ')}`);
    else if (r.msgs !== x.d.arrows)
      x.file.errs.push(`mermaid block at line ${x.d.line}: ${r.msgs} messages drawn, ${x.d.arrows} arrows written`);
  });
  if (shots) {
    mkdirSync(shots, { recursive: true });
    for (const f of files) {
      let k = 0;
      const html = f.html.replace(/<pre><code class="language-mermaid">[\s\S]*?<\/code><\/pre>/g,
        () => `<div class="mermaid">${f.diagrams[k++]?.svg || '(not drawn)'}</div>`);
      const page2 = `<!doctype html><html><head><meta charset="utf-8"><style>
        body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1000px;margin:20px auto;font-size:14px}
        table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:4px 8px}
        code{background:#eff1f3;padding:1px 4px;border-radius:4px}</style></head><body>${html}</body></html>`;
      const out = join(shots, f.name.replace(/\.md$/, ''));
      writeFileSync(`${out}.html`, page2);
      await page.setContent(page2);
      await page.screenshot({ path: `${out}.png`, fullPage: true });
    }
  }
} finally {
  await browser.close();
}

let pass = 0;
let fail = 0;
for (const f of files) {
  if (f.errs.length === 0) {
    pass++;
    console.log(`ok   ${f.name}: ${f.diagrams.length} diagram(s), ${f.diagrams.reduce((a, d) => a + d.arrows, 0)} arrows, ${f.tables.length} table(s)`);
  } else {
    fail++;
    console.log(`FAIL ${f.name}`);
    for (const e of f.errs) console.log(`     ${e}`);
  }
}
console.log(`rendered ${all.length} diagrams with mermaid ${mermaidVersion} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`render: ${pass} passed, ${fail} failed`);
process.exit(fail ? 1 : 0);
