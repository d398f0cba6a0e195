#!/usr/bin/env python3
"""Writes the benchmark templates: (a) the workflow report over 1,000 items (and its data with
100,000 items for the whole-process render), (b) a 200-line Markdown page with nested blocks and
partials. usage: make_template_inputs.py DIR"""
import json
import os
import sys

out = sys.argv[1]
with open(os.path.join(out, "report.md"), "w") as f:
    f.write("{{#each secretKeys}}- **{{this.key}}**: {{#if this.hasValue}}has value{{else}}no value{{/if}}\n{{/each}}")
with open(os.path.join(out, "report.json"), "w") as f:
    json.dump({"secretKeys": [{"key": "SECRET_%04d" % i, "hasValue": i % 3 != 0} for i in range(1000)]}, f)
with open(os.path.join(out, "report100k.json"), "w") as f:
    json.dump({"secretKeys": [{"key": "SECRET_%06d" % i, "hasValue": i % 3 != 0} for i in range(100000)]}, f)

lines = ["# {{title}}", "", "{{> header}}", ""]
while len(lines) < 190:
    n = len(lines)
    lines += [
        "## Section %d: {{sections.[0].name}}" % n,
        "{{#each sections}}",
        "### {{@index}}. {{name}}{{#if @first}} (first){{/if}}",
        "{{#with owner}}Owner: {{name}} <{{email}}>{{/with}}",
        "{{#each items}}",
        "- {{label}}: {{#if done}}done{{else if blocked}}blocked by {{blocker}}{{else}}open{{/if}} ({{../name}})",
        "{{/each}}",
        "{{#unless items}}_No items._{{/unless}}",
        "{{> row this}}",
        "{{/each}}",
        "",
    ]
lines = lines[:196] + ["{{> footer}}", "", "_Generated for {{title}} &amp; {{owner.name}}_", ""]
with open(os.path.join(out, "page.md"), "w") as f:
    f.write("\n".join(lines))
with open(os.path.join(out, "partials", "header.md"), "w") as f:
    f.write("> {{summary}}\n> Owners: {{#each sections}}{{owner.name}}{{#unless @last}}, {{/unless}}{{/each}}\n")
with open(os.path.join(out, "partials", "row.md"), "w") as f:
    f.write("| {{name}} | {{items.length}} | {{#if owner}}{{owner.email}}{{/if}} |\n")
with open(os.path.join(out, "partials", "footer.md"), "w") as f:
    f.write("---\n{{#each links}}[{{text}}]({{url}}){{#unless @last}} · {{/unless}}{{/each}}\n")
sections = [{"name": "Area <%d>" % s, "owner": {"name": "Owner %d" % s, "email": "o%d@example.com" % s},
             "items": [{"label": "Item %d.%d" % (s, i), "done": i % 2 == 0, "blocked": i % 3 == 0, "blocker": "X-%d" % i}
                       for i in range(s % 4)]} for s in range(5)]
with open(os.path.join(out, "page.json"), "w") as f:
    json.dump({"title": "Weekly \"status\" & notes", "summary": "All systems <nominal>", "owner": {"name": "Ops"},
               "sections": sections, "links": [{"text": "a", "url": "https://a.example/?x=1&y=2"}, {"text": "b", "url": "/b"}]}, f)
