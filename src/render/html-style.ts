// The stylesheet of the HTML edition and of the PDF printed from it: a paper page on screen,
// A4 with repeated table headers, one job-aid page per phase and a landscape page for the maps
// in print. Fonts: Noto (Debian's fonts-noto-core, -cjk, -color-emoji) so that every script and
// status symbol has a glyph, then common system fonts.
export const SOP_CSS = `
:root {
  --ink: #1d2433;
  --muted: #5b6577;
  --accent: #1f3a5f;
  --accent-2: #2f6f9f;
  --rule: #d5dbe5;
  --zebra: #f6f8fb;
  --head: #e9eef5;
  --check: #2f6f3e;
  --decide: #b7791f;
  --warn: #b83232;
}
* { box-sizing: border-box; }
html { background: #e9edf2; }
body {
  margin: 0;
  color: var(--ink);
  font-family: "Noto Sans", "DejaVu Sans", "Segoe UI", "Helvetica Neue", Arial, "Noto Sans CJK JP", "Noto Sans Arabic", "Noto Sans Hebrew", "Noto Sans Devanagari", "Noto Sans Thai", sans-serif, "Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji";
  font-size: 10.5pt;
  line-height: 1.45;
  -webkit-print-color-adjust: exact;
  print-color-adjust: exact;
}
.sop { max-width: 210mm; margin: 24px auto; padding: 18mm 16mm; background: #fff; box-shadow: 0 2px 12px rgba(20, 30, 50, 0.15); }
code, .code { font-family: "Noto Sans Mono", "DejaVu Sans Mono", Consolas, monospace; font-size: 0.92em; background: #f1f3f7; padding: 0 3px; border-radius: 3px; }
pre.code { padding: 8px 10px; white-space: pre-wrap; }
a { color: var(--accent-2); }
mark.missing { background: #fff3c4; color: #7a4b00; border-radius: 3px; padding: 0 2px; font-weight: 600; }
.letterhead { display: flex; justify-content: space-between; align-items: flex-end; border-bottom: 3px solid var(--accent); padding-bottom: 8px; margin-bottom: 18px; }
.letterhead .company { font-size: 16pt; font-weight: 700; color: var(--accent); }
.letterhead .lines { text-align: right; color: var(--muted); font-size: 9pt; }
.edition { background: var(--accent); color: #fff; padding: 6px 10px; border-radius: 4px; font-weight: 600; margin-bottom: 12px; }
h1 { font-size: 22pt; color: var(--accent); margin: 0 0 4px; line-height: 1.2; }
h1.part { font-size: 18pt; border-bottom: 3px solid var(--accent); padding-bottom: 4px; margin-top: 0; }
p.lead { color: var(--muted); font-size: 11.5pt; margin: 0 0 16px; }
h2 { font-size: 14pt; color: var(--accent); border-bottom: 1.5px solid var(--rule); padding-bottom: 3px; margin: 26px 0 10px; }
h3 { font-size: 12pt; color: var(--accent); margin: 20px 0 8px; }
h4 { font-size: 10.5pt; margin: 16px 0 4px; padding: 4px 8px; background: var(--zebra); border-left: 3px solid var(--accent-2); }
h2 .num, h3 .num, h4 .num { color: var(--accent-2); font-variant-numeric: tabular-nums; margin-right: 6px; }
h4 .num { font-weight: 700; }
p { margin: 6px 0; }
p.small { font-size: 9pt; color: var(--muted); }
p.fields { font-size: 9pt; color: var(--muted); margin: 2px 0 6px; }
p.fields .field { display: inline-block; margin-right: 12px; }
p.fields .label { font-weight: 600; color: var(--ink); }
ul, ol { margin: 4px 0 8px; padding-left: 22px; }
li { margin: 2px 0; }
ul.check { list-style: none; padding-left: 4px; }
ul.check > li { position: relative; padding-left: 20px; }
ul.check > li > .box { position: absolute; left: 0; top: 0.2em; width: 11px; height: 11px; border: 1.3px solid var(--muted); border-radius: 2px; font-size: 9px; line-height: 9px; text-align: center; color: var(--check); }
table { width: 100%; border-collapse: collapse; margin: 8px 0 12px; font-size: 9pt; }
th, td { border: 1px solid var(--rule); padding: 4px 6px; vertical-align: top; text-align: left; }
thead th { background: var(--head); color: var(--accent); font-weight: 700; }
tbody tr:nth-child(even) td { background: var(--zebra); }
th.center, td.center { text-align: center; }
table.kv td:first-child { width: 28%; font-weight: 600; background: var(--head); color: var(--accent); }
table.kv tbody tr:nth-child(even) td:not(:first-child) { background: #fff; }
table.matrix { font-size: 8pt; }
table.matrix td { padding: 2px 4px; }
table.matrix td.raci { text-align: center; font-weight: 700; width: 34px; }
td.raci-a, td.raci-ar { background: #1f3a5f !important; color: #fff; }
td.raci-r { background: #cfe0f1 !important; }
td.raci-c { background: #fdf0d5 !important; }
td.raci-i { background: #eef1f5 !important; color: var(--muted); }
table.sign td { height: 34px; }
nav.toc ol { list-style: none; padding-left: 0; columns: 2; column-gap: 24px; font-size: 9.5pt; }
nav.toc li { break-inside: avoid; }
nav.toc .num { display: inline-block; min-width: 2.2em; color: var(--accent-2); font-weight: 600; }
nav.toc a { color: var(--ink); text-decoration: none; }
aside.callout { border: 1px solid var(--rule); border-left: 4px solid var(--accent-2); background: #f8fafc; padding: 6px 10px; margin: 8px 0; border-radius: 0 4px 4px 0; }
aside.callout.checkpoint { border-left-color: var(--check); background: #f2f8f3; }
aside.callout.decision { border-left-color: var(--decide); background: #fdf8ee; }
aside.callout.warning { border-left-color: var(--warn); background: #fdf2f2; }
aside.callout .callout-title { font-weight: 700; margin: 0 0 2px; }
aside.callout.checkpoint .callout-title { color: var(--check); }
aside.callout.decision .callout-title { color: #8a5a12; }
aside.callout ul { margin-bottom: 2px; }
figure.diagram { margin: 10px 0; text-align: center; }
figure.diagram svg { max-width: 100%; height: auto; }
figure.diagram figcaption { font-size: 9pt; color: var(--muted); margin-top: 4px; }
pre.mermaid { text-align: left; background: #fff; }
section.page { border-top: 2px dashed var(--rule); margin-top: 24px; padding-top: 8px; }
section.page h3 { margin-top: 4px; border-bottom: 2px solid var(--accent); padding-bottom: 3px; }
section.page > ul.check > li { border-bottom: 1px solid #eceff4; padding-bottom: 3px; margin-bottom: 3px; }
section.page ul ul, section.page ul.check ul.check { font-size: 9pt; }
.page-break { height: 0; }
@media screen {
  /* On screen the maps may be wider than the paper: they break out to the window's width. */
  section.diagram-page figure.diagram { width: min(96vw, 1700px); margin-left: calc(50% - min(48vw, 850px)); overflow-x: auto; }
}
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
@page landscape { size: A4 landscape; margin: 12mm 12mm 14mm 12mm; }
@media print {
  html { background: #fff; }
  body { font-size: 10pt; }
  .sop { max-width: none; margin: 0; padding: 0; box-shadow: none; }
  h2, h3, h4 { break-after: avoid; }
  tr, aside.callout, p.fields, li { break-inside: avoid; }
  thead { display: table-header-group; }
  .page-break { break-after: page; }
  section.page { break-before: page; break-after: page; border-top: 0; margin-top: 0; padding-top: 0; }
  section.diagram-page { page: landscape; break-before: page; }
  figure.diagram svg { max-height: 170mm; }
  a { color: inherit; text-decoration: none; }
}
`;
