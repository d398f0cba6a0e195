#!/usr/bin/env node
// Regenerates golden.json from cases.js using handlebars.js (4.7.x).
// Usage: NODE_PATH=/usr/share/nodejs node generate.js
'use strict';

const fs = require('fs');
const path = require('path');
const Handlebars = require('handlebars');
const cases = require('./cases.js');

const BUILTIN_HELPERS = ['if', 'unless', 'each', 'with', 'lookup', 'log', 'blockHelperMissing', 'helperMissing'];
const NAME_RE = /^[a-z0-9]+(_[a-z0-9]+)*$/;
const ALLOWED_KEYS = ['name', 'template', 'data', 'partials', 'strict', 'helpers', 'optional', 'loopsealError', 'note'];

if (!/^4\.7\./.test(Handlebars.VERSION)) {
  throw new Error('expected handlebars 4.7.x, got ' + Handlebars.VERSION);
}

function parsesCleanly(template, partials) {
  try {
    Handlebars.parse(template);
    for (const name of Object.keys(partials)) Handlebars.parse(partials[name]);
    return true;
  } catch (e) {
    return false;
  }
}

const seen = new Set();
const results = cases.map((c) => {
  for (const k of Object.keys(c)) {
    if (!ALLOWED_KEYS.includes(k)) throw new Error(`${c.name}: unknown key ${k}`);
  }
  if (!NAME_RE.test(c.name)) throw new Error(`bad case name: ${c.name}`);
  if (seen.has(c.name)) throw new Error(`duplicate case name: ${c.name}`);
  seen.add(c.name);
  if (typeof c.template !== 'string') throw new Error(`${c.name}: template must be a string`);
  for (const h of c.helpers || []) {
    if (!BUILTIN_HELPERS.includes(h)) throw new Error(`${c.name}: only built-in helpers allowed, got ${h}`);
  }

  // Render from the JSON round-trip of the data, i.e. exactly what golden.json holds.
  const dataJSON = JSON.stringify(c.data === undefined ? {} : c.data);
  const data = JSON.parse(dataJSON);
  const partials = c.partials || {};

  const env = Handlebars.create();
  for (const name of Object.keys(partials)) env.registerPartial(name, partials[name]);

  const rec = { name: c.name, template: c.template, data: JSON.parse(dataJSON) };
  if (c.partials) rec.partials = c.partials;
  rec.strict = !!c.strict;
  if (c.helpers) rec.helpers = c.helpers;
  if (c.optional) rec.optional = c.optional;
  if (c.loopsealError) rec.loopsealError = c.loopsealError;
  if (c.note) rec.note = c.note;
  try {
    const tpl = env.compile(c.template, { strict: !!c.strict });
    rec.expected = tpl(data);
  } catch (e) {
    rec.error = String(e && e.message !== undefined ? e.message : e);
    // "parse": the template or one of its partials does not parse (handlebars compiles lazily,
    // so this is checked separately); "render": thrown while rendering.
    rec.errorPhase = parsesCleanly(c.template, partials) ? 'render' : 'parse';
  }
  return rec;
});

const out = path.join(__dirname, 'golden.json');
fs.writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
const nErr = results.filter((r) => 'error' in r).length;
console.log(`wrote ${results.length} cases (${nErr} errors) to ${out}`);
