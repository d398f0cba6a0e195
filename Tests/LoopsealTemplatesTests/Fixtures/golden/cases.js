// Golden test cases for LoopsealTemplates (handlebars.js 4.7 compatible).
// Each case: {name, template, data, partials?, strict?, helpers?, optional?, loopsealError?, note?}
//   optional:      feature tag; the case may be dropped if the engine does not support it
//                  ("block_params").
//   loopsealError: handlebars accepts this template, but Loopseal deliberately rejects it
//                  (unsupported feature); the engine should report an error instead of `expected`.
//   note:          free-form hint for the engine author.
// Data must be JSON-representable. Run generate.js to produce golden.json.
'use strict';

const cases = [];
function c(name, template, data, extra) {
  cases.push(Object.assign({ name, template, data: data === undefined ? {} : data }, extra || {}));
}

// ---------------------------------------------------------------- escape_
c('escape_amp', '{{v}}', { v: 'a & b' });
c('escape_lt_gt', '{{v}}', { v: '<b>bold</b>' });
c('escape_double_quote', '{{v}}', { v: 'say "hi"' });
c('escape_single_quote', '{{v}}', { v: "it's" });
c('escape_backtick', '{{v}}', { v: 'run `ls`' });
c('escape_equals', '{{v}}', { v: 'a=b' });
c('escape_all_specials', '{{v}}', { v: '&<>"\'`=' });
c('escape_already_escaped_entity', '{{v}}', { v: '&amp; &lt;' });
c('escape_slash_not_escaped', '{{v}}', { v: 'a/b\\c' });
c('escape_other_punctuation_not_escaped', '{{v}}', { v: '!#$%()*+,-.:;?@[]^_{|}~' });
c('escape_triple_stash_raw', '{{{v}}}', { v: '<i>&"\'`=</i>' });
c('escape_ampersand_raw', '{{& v}}', { v: '<i>&"\'`=</i>' });
c('escape_ampersand_raw_no_space', '{{&v}}', { v: '<b>' });
c('escape_triple_stash_spaces', '{{{ v }}}', { v: '<b>' });
c('escape_escaped_and_raw_same_value', '{{v}}|{{{v}}}|{{&v}}', { v: '<a href="x">' });
c('escape_unicode_untouched', '{{v}}', { v: 'é ü 日本 ñ' });
c('escape_newline_tab_untouched', '{{v}}', { v: 'a\n\tb\r\n' });
c('escape_template_text_not_escaped', '<p class="x"> & \' ` = {{v}}', { v: '&' });
c('escape_empty_string', '[{{v}}]', { v: '' });
c('escape_zero', '[{{v}}]', { v: 0 });
c('escape_integer', '[{{v}}]', { v: 42 });
c('escape_true', '[{{v}}]', { v: true });
c('escape_false_prints_false', '[{{v}}]', { v: false });
c('escape_null_prints_empty', '[{{v}}]', { v: null });
c('escape_object_prints_object_object', '[{{v}}]', { v: { a: 1 } });
c('escape_empty_object', '[{{v}}]', { v: {} });
c('escape_array_joined_with_commas', '[{{v}}]', { v: [1, 2, 3] });
c('escape_array_of_strings_with_html', '[{{v}}]', { v: ['<a>', 'b&c'] });
c('escape_nested_array_flattened', '[{{v}}]', { v: [[1, 2], [3, [4]]] });
c('escape_array_with_null_and_bool', '[{{v}}]', { v: [1, null, true, false, 'x'] });
c('escape_array_of_objects', '[{{v}}]', { v: [{ a: 1 }, { b: 2 }] });
c('escape_empty_array', '[{{v}}]', { v: [] });
c('escape_raw_array', '[{{{v}}}]', { v: ['<a>', 2] });
c('escape_raw_false', '[{{{v}}}]', { v: false });
c('escape_raw_null', '[{{{v}}}]', { v: null });

// ---------------------------------------------------------------- backslash_
c('backslash_escaped_mustache', '\\{{name}}', { name: 'Ann' });
c('backslash_escaped_then_real', '\\{{name}} is {{name}}', { name: 'Ann' });
c('backslash_escaped_text_runs_to_next_mustache', '\\{{a}} and }} and {{b}}', { a: 'A', b: 'B' });
c('backslash_double_renders_value', '\\\\{{name}}', { name: 'Ann' });
c('backslash_triple', '\\\\\\{{name}}', { name: 'Ann' });
c('backslash_escaped_triple_stash', '\\{{{name}}}', { name: 'Ann' });
c('backslash_double_before_triple_stash', '\\\\{{{name}}}', { name: '<Ann>' });
c('backslash_escaped_block', '\\{{#if x}}y\\{{/if}}', { x: false });
c('backslash_escaped_comment', '\\{{! not a comment }}', {});
c('backslash_escaped_partial', '\\{{> p}}', {});
c('backslash_plain_not_before_mustache', 'a\\b \\n {{name}}', { name: 'Ann' });
c('backslash_trailing', 'end\\', {});
c('backslash_in_value_untouched', '{{v}}', { v: '\\{{x}}' });

// ---------------------------------------------------------------- path_
const person = { name: 'Ann', address: { city: 'Oslo', zip: '0150' } };
c('path_simple', '{{name}}', person);
c('path_dotted', '{{address.city}}', person);
c('path_dotted_three', '{{a.b.c}}', { a: { b: { c: 'deep' } } });
c('path_slash_separator', '{{address/city}}', person);
c('path_this', '{{#with address}}{{this.city}}{{/with}}', person);
c('path_this_alone_string_context', '{{#with name}}{{this}}{{/with}}', person);
c('path_this_slash', '{{this/name}}', person);
c('path_dot_slash', '{{./name}}', person);
c('path_dot_slash_nested', '{{./address.city}}', person);
c('path_dot_alone', '{{#each list}}{{.}};{{/each}}', { list: ['a', 'b'] });
c('path_parent_in_with', '{{#with address}}{{city}} of {{../name}}{{/with}}', person);
c('path_parent_parent', '{{#with a}}{{#with b}}{{c}}-{{../x}}-{{../../y}}{{/with}}{{/with}}', { y: 'Y', a: { x: 'X', b: { c: 'C' } } });
c('path_parent_in_each', '{{#each items}}{{this}}@{{../owner}} {{/each}}', { owner: 'me', items: [1, 2] });
c('path_parent_inside_if_inside_each', '{{#each items}}{{#if this}}{{../owner}}{{/if}};{{/each}}', { owner: 'me', items: [1, 0] });
c('path_parent_if_does_not_push_context', '{{#with a}}{{#if flag}}{{../top}}|{{name}}{{/if}}{{/with}}', { top: 'T', a: { flag: true, name: 'N' } });
c('path_parent_beyond_root', '[{{../name}}]', person);
c('path_parent_dotted', '{{#with address}}{{../address.zip}}{{/with}}', person);
c('path_segment_literal_space', '{{[a b]}}', { 'a b': 'spaced' });
c('path_segment_literal_nested', '{{a.[b c].d}}', { a: { 'b c': { d: 'D' } } });
c('path_segment_empty_is_the_context', '{{#each x}}[{{[]}}|{{this.[]}}|{{[].a}}]{{/each}}', { x: ['p', 'q'], '': 'E' });
c('path_segment_empty_after_parent', '{{#with a}}{{#each ../x}}{{../[]}}{{/each}}{{/with}}', { a: { b: 1 }, x: [1, 2] });
c('path_segment_empty_as_context_of_with', '{{#with []}}{{a.b}}{{/with}}', { a: { b: 'AB' } });
c('path_segment_empty_after_name_is_a_lookup', '[{{a.[]}}|{{@root.[]}}]', { a: { b: 1 }, '': 'E' });
c('path_segment_literal_with_dot', '{{[a.b]}}|{{a.b}}', { 'a.b': 'literal', a: { b: 'nested' } });
c('path_segment_literal_with_slash', '{{[a/b]}}', { 'a/b': 'slashed' });
c('path_segment_literal_first_then_plain', '{{[my key].inner}}', { 'my key': { inner: 'in' } });
c('path_segment_literal_reserved_word', '{{[this]}}|{{[else]}}', { this: 'T', else: 'E' });
c('path_segment_literal_parent', '{{#with a}}{{../[x y]}}{{/with}}', { 'x y': 'XY', a: {} });
c('path_array_index', '{{list.[0]}},{{list.[2]}}', { list: ['a', 'b', 'c'] });
c('path_array_index_then_field', '{{people.[1].name}}', { people: [{ name: 'Ann' }, { name: 'Bob' }] });
c('path_array_index_nested', '{{m.[1].[0]}}', { m: [[1, 2], [3, 4]] });
c('path_dot_number_segment_is_parse_error', '{{list.0}}|{{list.1}}', { list: ['a', 'b'] });
c('path_numeric_key_segment', '{{[1]}}|{{obj.[2]}}', { 1: 'one', obj: { 2: 'two' } });
c('path_dash_in_name', '{{foo-bar}}', { 'foo-bar': 'dashed' });
c('path_underscore_and_digits', '{{_a1}}{{b_2}}', { _a1: 'x', b_2: 'y' });
c('path_dollar_in_name', '{{$x}}', { $x: 'dollar' });
c('path_array_length', '{{list.length}}', { list: [1, 2, 3] });
c('path_string_length', '{{s.length}}', { s: 'hello' });
c('path_whitespace_inside_mustache', '{{  name  }}', person);
c('path_newline_inside_mustache', '{{\nname\n}}', person);
c('path_this_in_array_each', '{{#each list}}{{this.n}}{{/each}}', { list: [{ n: 1 }, { n: 2 }] });
c('path_key_named_length_on_object', '{{o.length}}', { o: { length: 'L' } });

// ---------------------------------------------------------------- missing_
c('missing_top', '[{{nope}}]', {});
c('missing_second_when_first_missing', '[{{a.b}}]', {});
c('missing_third_when_first_missing', '[{{a.b.c}}]', {});
c('missing_third_when_second_missing', '[{{a.b.c}}]', { a: {} });
c('missing_last_segment', '[{{a.b.c}}]', { a: { b: {} } });
c('missing_null_intermediate', '[{{a.b.c}}]', { a: { b: null } });
c('missing_property_of_string', '[{{s.x}}]', { s: 'str' });
c('missing_property_of_number', '[{{n.x}}]', { n: 5 });
c('missing_property_of_false', '[{{f.x}}]', { f: false });
c('missing_property_of_true', '[{{t.x}}]', { t: true });
c('missing_array_index_out_of_range', '[{{list.[5]}}]', { list: [1] });
c('missing_triple_stash', '[{{{nope.x}}}]', {});
c('missing_segment_literal', '[{{[no such]}}]', {});
c('missing_in_each_item_no_fallback', '{{#each items}}[{{title}}]{{/each}}', { title: 'root', items: [{}, { title: 'x' }] });
c('missing_parent', '{{#with a}}[{{../nope}}]{{/with}}', { a: {} });
c('missing_data_variable', '[{{@nope}}]', {});
c('missing_root_path', '[{{@root.nope.deeper}}]', {});
c('missing_in_with_no_fallback', '{{#with a}}[{{name}}]{{/with}}', { name: 'outer', a: { other: 1 } });
c('missing_partial_context_path', '[{{> p}}]', {}, { partials: { p: '{{x.y}}' } });

// ---------------------------------------------------------------- data_
c('data_index_array', '{{#each list}}{{@index}}:{{this}} {{/each}}', { list: ['a', 'b', 'c'] });
c('data_key_array', '{{#each list}}{{@key}}:{{this}} {{/each}}', { list: ['a', 'b'] });
c('data_key_object', '{{#each obj}}{{@key}}={{this}};{{/each}}', { obj: { x: 1, y: 2 } });
c('data_index_object', '{{#each obj}}{{@index}}{{/each}}', { obj: { x: 1, y: 2, z: 3 } });
c('data_first_last_array', '{{#each list}}{{@first}}/{{@last}} {{/each}}', { list: [1, 2, 3] });
c('data_first_last_object', '{{#each obj}}{{@key}}:{{@first}}/{{@last}} {{/each}}', { obj: { a: 1, b: 2, c: 3 } });
c('data_first_last_single', '{{#each list}}{{@first}}/{{@last}}{{/each}}', { list: ['only'] });
c('data_if_first', '{{#each list}}{{#if @first}}[{{/if}}{{this}}{{/each}}]', { list: [1, 2] });
c('data_unless_last_separator', '{{#each list}}{{this}}{{#unless @last}}, {{/unless}}{{/each}}', { list: ['a', 'b', 'c'] });
c('data_root_in_each', '{{#each items}}{{this}}{{@root.suffix}} {{/each}}', { suffix: '!', items: ['a', 'b'] });
c('data_root_top_level', '{{@root.title}}', { title: 'T' });
c('data_root_in_nested_with', '{{#with a}}{{#with b}}{{@root.top}}{{/with}}{{/with}}', { top: 'TOP', a: { b: {} } });
c('data_parent_index', '{{#each rows}}{{#each this}}{{@../index}}.{{@index}} {{/each}}{{/each}}', { rows: [['a', 'b'], ['c']] });
c('data_parent_key', '{{#each groups}}{{#each this}}{{@../key}}/{{@key}} {{/each}}{{/each}}', { groups: { g1: { a: 1 }, g2: { b: 2 } } });
c('data_index_outside_each_empty', '[{{@index}}][{{@key}}][{{@first}}]', {});
c('data_index_inside_with_inside_each', '{{#each people}}{{#with address}}{{@index}}:{{city}} {{/with}}{{/each}}', { people: [{ address: { city: 'A' } }, { address: { city: 'B' } }] });
c('data_index_inside_if_inside_each', '{{#each list}}{{#if this}}{{@index}}{{/if}}{{/each}}', { list: [1, 0, 1] });
c('data_index_in_block_value_array', '{{#list}}{{@index}}={{this}} {{/list}}', { list: ['x', 'y'] });
c('data_nested_each_own_index', '{{#each a}}{{@index}}[{{#each this}}{{@index}}{{/each}}]{{/each}}', { a: [[1, 2, 3], [4]] });
c('data_index_is_number_zero_prints', '{{#each list}}{{#if @index}}+{{/if}}{{@index}}{{/each}}', { list: [5, 6, 7] });
c('data_index_escaped_key', '{{#each obj}}{{@key}} {{/each}}', { obj: { '<k>': 1, 'a&b': 2 } });

// ---------------------------------------------------------------- if_
c('if_true', '{{#if v}}yes{{/if}}', { v: true });
c('if_false', '[{{#if v}}yes{{/if}}]', { v: false });
c('if_else_true', '{{#if v}}yes{{else}}no{{/if}}', { v: true });
c('if_else_false', '{{#if v}}yes{{else}}no{{/if}}', { v: false });
c('if_missing_else', '{{#if nope}}yes{{else}}no{{/if}}', {});
c('if_nested_path', '{{#if a.b}}yes{{else}}no{{/if}}', { a: { b: 'x' } });
c('if_nested_path_missing', '{{#if a.b.c}}yes{{else}}no{{/if}}', {});
c('if_does_not_change_context', '{{#if obj}}{{name}}{{/if}}', { name: 'outer', obj: { name: 'inner' } });
c('if_else_if_first', '{{#if a}}A{{else if b}}B{{else if c}}C{{else}}D{{/if}}', { a: 1, b: 1, c: 1 });
c('if_else_if_second', '{{#if a}}A{{else if b}}B{{else if c}}C{{else}}D{{/if}}', { a: 0, b: 1, c: 1 });
c('if_else_if_third', '{{#if a}}A{{else if b}}B{{else if c}}C{{else}}D{{/if}}', { a: 0, b: 0, c: 1 });
c('if_else_if_final_else', '{{#if a}}A{{else if b}}B{{else if c}}C{{else}}D{{/if}}', { a: 0, b: 0, c: 0 });
c('if_else_if_no_final_else', '[{{#if a}}A{{else if b}}B{{/if}}]', { a: false, b: false });
c('if_else_unless_chain', '{{#if a}}A{{else unless b}}not-b{{else}}b{{/if}}', { a: false, b: false });
c('if_else_each_chain', '{{#if a}}A{{else each list}}{{this}}{{else}}empty{{/if}}', { a: false, list: [1, 2] });
c('if_else_each_chain_empty', '{{#if a}}A{{else each list}}{{this}}{{else}}empty{{/if}}', { a: false, list: [] });
c('if_else_with_chain', '{{#if a}}A{{else with b}}{{c}}{{/if}}', { a: false, b: { c: 'C' } });
c('if_caret_else', '{{#if v}}yes{{^}}no{{/if}}', { v: false });
c('if_literal_true', '{{#if true}}yes{{/if}}', {});
c('if_literal_false', '{{#if false}}yes{{else}}no{{/if}}', {});
c('if_literal_null', '{{#if null}}yes{{else}}no{{/if}}', {});
c('if_literal_undefined', '{{#if undefined}}yes{{else}}no{{/if}}', {});
c('if_literal_zero', '{{#if 0}}yes{{else}}no{{/if}}', {});
c('if_literal_negative_zero', '{{#if -0}}yes{{else}}no{{/if}}', {});
c('if_literal_one', '{{#if 1}}yes{{else}}no{{/if}}', {});
c('if_literal_string', '{{#if "x"}}yes{{else}}no{{/if}}', {});
c('if_literal_empty_string', '{{#if ""}}yes{{else}}no{{/if}}', {});
c('if_literal_negative', '{{#if -1}}yes{{else}}no{{/if}}', {});
c('if_literal_decimal', '{{#if 0.5}}yes{{else}}no{{/if}}', {});
c('if_include_zero_hash', '{{#if v includeZero=true}}yes{{else}}no{{/if}}', { v: 0 });
c('if_include_zero_false_hash', '{{#if v includeZero=false}}yes{{else}}no{{/if}}', { v: 0 });
c('if_subexpression_lookup', '{{#if (lookup obj "k")}}yes{{else}}no{{/if}}', { obj: { k: 'v' } });
c('if_subexpression_lookup_missing', '{{#if (lookup obj "z")}}yes{{else}}no{{/if}}', { obj: { k: 'v' } });
c('if_data_variable', '{{#each l}}{{#if @last}}last{{else}}{{@index}},{{/if}}{{/each}}', { l: [1, 2, 3] });
c('if_nested', '{{#if a}}{{#if b}}ab{{else}}a{{/if}}{{else}}none{{/if}}', { a: true, b: false });
c('if_this_truthy', '{{#each l}}{{#if this}}T{{else}}F{{/if}}{{/each}}', { l: [1, 0, '', 'x', null, [], {}] });

// ---------------------------------------------------------------- unless_
c('unless_false', '{{#unless v}}shown{{/unless}}', { v: false });
c('unless_true', '[{{#unless v}}shown{{/unless}}]', { v: true });
c('unless_else', '{{#unless v}}no{{else}}yes{{/unless}}', { v: true });
c('unless_missing', '{{#unless nope}}missing{{/unless}}', {});
c('unless_zero', '{{#unless v}}zero{{/unless}}', { v: 0 });
c('unless_empty_array', '{{#unless v}}empty{{/unless}}', { v: [] });
c('unless_else_if_chain', '{{#unless a}}X{{else if b}}Y{{else}}Z{{/unless}}', { a: true, b: false });
c('unless_include_zero_hash', '{{#unless v includeZero=true}}falsy{{else}}truthy{{/unless}}', { v: 0 });
c('unless_does_not_change_context', '{{#unless flag}}{{name}}{{/unless}}', { name: 'outer', flag: null });

// ---------------------------------------------------------------- each_
c('each_array_strings', '{{#each list}}<{{this}}>{{/each}}', { list: ['a', 'b', 'c'] });
c('each_array_objects', '{{#each people}}{{name}} ({{age}})\n{{/each}}', { people: [{ name: 'Ann', age: 30 }, { name: 'Bob', age: 41 }] });
c('each_empty_array_else', '{{#each list}}x{{else}}empty{{/each}}', { list: [] });
c('each_missing_else', '{{#each list}}x{{else}}none{{/each}}', {});
c('each_null_else', '{{#each list}}x{{else}}null{{/each}}', { list: null });
c('each_string_not_iterated', '{{#each s}}[{{this}}]{{else}}inverse{{/each}}', { s: 'abc' });
c('each_number_not_iterated', '{{#each n}}[{{this}}]{{else}}inverse{{/each}}', { n: 3 });
c('each_true_not_iterated', '{{#each b}}[{{this}}]{{else}}inverse{{/each}}', { b: true });
c('each_object_values', '{{#each obj}}{{this}} {{/each}}', { obj: { a: 1, b: 2 } });
c('each_object_key_value', '{{#each obj}}{{@key}}={{this}}\n{{/each}}', { obj: { host: 'h', port: 22 } });
c('each_object_empty_else', '{{#each obj}}x{{else}}no keys{{/each}}', { obj: {} });
c('each_object_of_objects', '{{#each users}}{{@key}}:{{name}} {{/each}}', { users: { u1: { name: 'A' }, u2: { name: 'B' } } });
c('each_object_integer_like_keys_order', '{{#each obj}}{{@key}} {{/each}}', { obj: { b: 1, 10: 1, a: 1, 2: 1 } },
  { note: 'JS orders integer-like keys first (ascending); golden.json data already reflects that order, so iterate in document order.' });
c('each_nested_arrays', '{{#each m}}[{{#each this}}{{this}}{{/each}}]{{/each}}', { m: [[1, 2], [3], []] });
c('each_nested_parent', '{{#each groups}}{{name}}:{{#each items}}{{this}}-{{../name}} {{/each}}\n{{/each}}', { groups: [{ name: 'g1', items: [1, 2] }, { name: 'g2', items: [3] }] });
c('each_nested_parent_parent', '{{#each a}}{{#each this}}{{../../top}}{{/each}}{{/each}}', { top: 'T', a: [[1, 2], [3]] });
c('each_this_primitive_numbers', '{{#each list}}{{this}},{{/each}}', { list: [1, 2.5, -3, 0] });
c('each_array_with_nulls', '{{#each list}}[{{this}}]{{/each}}', { list: ['a', null, 'b'] });
c('each_array_with_bools', '{{#each list}}[{{this}}]{{/each}}', { list: [true, false] });
c('each_no_implicit_parent_lookup', '{{#each items}}[{{name}}]{{/each}}', { name: 'root', items: [{ id: 1 }, { name: 'item' }] });
c('each_html_escaped_items', '{{#each list}}{{this}} {{{this}}} {{/each}}', { list: ['<a>', '&'] });
c('each_with_inside', '{{#each people}}{{#with address}}{{city}}{{/with}};{{/each}}', { people: [{ address: { city: 'Oslo' } }, { address: null }] });
c('each_lookup_subexpression', '{{#each (lookup obj "items")}}{{this}}{{/each}}', { obj: { items: ['x', 'y'] } });
c('each_else_if_chain', '{{#each list}}{{this}}{{else if fallback}}fallback{{else}}nothing{{/each}}', { list: [], fallback: true });
c('each_hash_ignored', '{{#each list foo="bar"}}{{this}}{{/each}}', { list: [1, 2] });
c('each_array_of_empty_objects', '{{#each list}}[{{@index}}]{{/each}}', { list: [{}, {}] });
c('each_object_nested_values_with_parent_key', '{{#each env}}{{@key}}: {{#each this}}{{@../key}}.{{@key}}={{this}} {{/each}}\n{{/each}}', { env: { prod: { a: 1 }, dev: { b: 2, c: 3 } } });
c('each_object_with_array_values', '{{#each tags}}{{@key}}={{#each this}}{{this}}{{#unless @last}}|{{/unless}}{{/each}};{{/each}}', { tags: { x: ['1', '2'], y: [] } });
c('each_at_root_array', '{{#each this}}{{this}}{{/each}}', ['a', 'b']);
c('each_object_at_root', '{{#each this}}{{@key}}{{/each}}', { p: 1, q: 2 });
c('each_large_list', '{{#each l}}{{this}}{{/each}}', { l: Array.from({ length: 30 }, (_, i) => i) });
c('each_caret_else', '{{#each l}}x{{^}}empty{{/each}}', { l: [] });

// ---------------------------------------------------------------- with_
c('with_object', '{{#with person}}{{name}} in {{address.city}}{{/with}}', { person });
c('with_missing_else', '{{#with nope}}x{{else}}no{{/with}}', {});
c('with_null_else', '{{#with v}}x{{else}}null{{/with}}', { v: null });
c('with_false_else', '{{#with v}}x{{else}}false{{/with}}', { v: false });
c('with_empty_object_renders', '{{#with v}}rendered{{else}}else{{/with}}', { v: {} });
c('with_empty_array_else', '{{#with v}}rendered{{else}}else{{/with}}', { v: [] });
c('with_array_renders', '{{#with v}}{{this}} {{length}}{{/with}}', { v: [1, 2] });
c('with_zero_renders', '{{#with v}}[{{this}}]{{else}}else{{/with}}', { v: 0 });
c('with_empty_string_else', '{{#with v}}[{{this}}]{{else}}else{{/with}}', { v: '' });
c('with_string', '{{#with v}}{{this}}!{{/with}}', { v: 'hey' });
c('with_true', '{{#with v}}{{this}}{{/with}}', { v: true });
c('with_parent', '{{#with a}}{{x}}/{{../y}}{{/with}}', { y: 'Y', a: { x: 'X' } });
c('with_nested', '{{#with a}}{{#with b}}{{#with c}}{{d}}{{/with}}{{/with}}{{/with}}', { a: { b: { c: { d: 'D' } } } });
c('with_lookup_subexpression', '{{#with (lookup people 0)}}{{name}}{{/with}}', { people: [{ name: 'First' }, { name: 'Second' }] });
c('with_lookup_subexpression_dynamic', '{{#with (lookup people idx)}}{{name}}{{/with}}', { idx: 1, people: [{ name: 'First' }, { name: 'Second' }] });
c('with_else_if_chain', '{{#with a}}A{{else if b}}B{{else}}C{{/with}}', { b: true });
c('with_literal_string', '{{#with "lit"}}{{this}}{{/with}}', {});
c('with_literal_number', '{{#with 7}}{{this}}{{/with}}', {});
c('with_dotted_path', '{{#with a.b}}{{c}}{{/with}}', { a: { b: { c: 'C' } } });
c('with_hash_ignored', '{{#with a x=1}}{{b}}{{/with}}', { a: { b: 'B' } });
c('with_caret_else', '{{#with a}}A{{^}}none{{/with}}', {});

// ---------------------------------------------------------------- inverse_ ({{^x}})
c('inverse_false', '{{^v}}shown{{/v}}', { v: false });
c('inverse_true', '[{{^v}}shown{{/v}}]', { v: true });
c('inverse_missing', '{{^v}}missing{{/v}}', {});
c('inverse_null', '{{^v}}null{{/v}}', { v: null });
c('inverse_empty_array', '{{^v}}empty{{/v}}', { v: [] });
c('inverse_nonempty_array', '[{{^v}}empty{{/v}}]', { v: [1] });
c('inverse_empty_string', '[{{^v}}shown{{/v}}]', { v: '' });
c('inverse_zero', '[{{^v}}shown{{/v}}]', { v: 0 });
c('inverse_string_zero', '[{{^v}}shown{{/v}}]', { v: '0' });
c('inverse_object', '[{{^v}}shown{{/v}}]', { v: {} });
c('inverse_keeps_context', '{{^v}}{{name}}{{/v}}', { name: 'outer', v: false });
c('inverse_with_else', '{{^v}}falsy{{else}}truthy:{{x}}{{/v}}', { v: { x: 'X' } });
c('inverse_dotted_path', '{{^a.b}}no b{{/a.b}}', { a: {} });

// ---------------------------------------------------------------- blockvalue_ (block on a value, no helper)
c('blockvalue_object_pushes_context', '{{#obj}}{{name}}{{/obj}}', { name: 'outer', obj: { name: 'inner' } });
c('blockvalue_object_parent', '{{#obj}}{{../title}}:{{name}}{{/obj}}', { title: 'T', obj: { name: 'N' } });
c('blockvalue_array_iterates', '{{#list}}<{{this}}>{{/list}}', { list: ['a', 'b'] });
c('blockvalue_array_of_objects', '{{#people}}{{name}};{{/people}}', { people: [{ name: 'A' }, { name: 'B' }] });
c('blockvalue_array_first_last', '{{#list}}{{@first}}-{{@last}} {{/list}}', { list: [1, 2] });
c('blockvalue_empty_array_inverse', '{{#list}}x{{else}}empty{{/list}}', { list: [] });
c('blockvalue_true_keeps_context', '{{#flag}}{{name}}{{/flag}}', { name: 'N', flag: true });
c('blockvalue_false_inverse', '{{#flag}}x{{else}}no{{/flag}}', { flag: false });
c('blockvalue_null_inverse', '{{#v}}x{{else}}null{{/v}}', { v: null });
c('blockvalue_missing_inverse', '{{#v}}x{{else}}missing{{/v}}', {});
c('blockvalue_string_becomes_context', '{{#s}}[{{this}}]{{/s}}', { s: 'str' });
c('blockvalue_empty_string', '{{#s}}[{{this}}]{{else}}else{{/s}}', { s: '' });
c('blockvalue_zero', '{{#n}}[{{this}}]{{else}}else{{/n}}', { n: 0 });
c('blockvalue_number', '{{#n}}[{{this}}]{{/n}}', { n: 12 });
c('blockvalue_empty_object_renders', '{{#o}}rendered{{else}}else{{/o}}', { o: {} });
c('blockvalue_dotted_path', '{{#a.b}}{{c}}{{/a.b}}', { a: { b: { c: 'C' } } });
c('blockvalue_nested_blocks', '{{#a}}{{#b}}{{c}}{{/b}}{{/a}}', { a: { b: [{ c: 1 }, { c: 2 }] } });
c('blockvalue_caret_else', '{{#v}}yes{{^}}no{{/v}}', { v: false });
c('blockvalue_else_if', '{{#v}}yes{{else if w}}w{{/v}}', { v: false, w: true });

// ---------------------------------------------------------------- lookup_
c('lookup_object_key', '{{lookup obj "a"}}', { obj: { a: 'A' } });
c('lookup_array_index', '{{lookup list 1}}', { list: ['x', 'y'] });
c('lookup_dynamic_key', '{{lookup obj key}}', { key: 'b', obj: { b: 'B' } });
c('lookup_missing_key', '[{{lookup obj "zzz"}}]', { obj: {} });
c('lookup_missing_object', '[{{lookup nope "x"}}]', {});
c('lookup_null_object', '[{{lookup v "x"}}]', { v: null });
c('lookup_nested_subexpression', '{{lookup (lookup a "b") "c"}}', { a: { b: { c: 'deep' } } });
c('lookup_in_each_by_index', '{{#each keys}}{{lookup ../values @index}} {{/each}}', { keys: ['a', 'b'], values: ['A', 'B'] });
c('lookup_in_each_by_this', '{{#each keys}}{{lookup ../map this}} {{/each}}', { keys: ['x', 'y', 'z'], map: { x: 1, y: 2 } });
c('lookup_key_with_space', '{{lookup obj "a b"}}', { obj: { 'a b': 'spaced' } });
c('lookup_result_escaped', '{{lookup obj "h"}}', { obj: { h: '<b>&' } });
c('lookup_result_raw', '{{{lookup obj "h"}}}', { obj: { h: '<b>&' } });
c('lookup_number_key_on_object', '{{lookup obj 1}}', { obj: { 1: 'one' } });
c('lookup_negative_number_key', '{{lookup obj -1}}', { obj: { '-1': 'minus one' } });
c('lookup_decimal_number_key', '{{lookup obj 1.5}}', { obj: { '1.5': 'one and a half' } });
c('lookup_true_key', '{{lookup obj true}}', { obj: { true: 'T' } });
c('lookup_single_quoted_key', "{{lookup obj 'a'}}", { obj: { a: 'A' } });
c('lookup_double_quoted_key_with_apostrophe', '{{lookup obj "it\'s"}}', { obj: { "it's": 'apostrophe' } });
c('lookup_single_quoted_key_with_double_quotes', "{{lookup obj 'say \"hi\"'}}", { obj: { 'say "hi"': 'quoted' } });
c('lookup_escaped_double_quote_in_string', '{{lookup obj "a\\"b"}}', { obj: { 'a"b': 'escaped quote' } });
c('lookup_escaped_single_quote_in_string', "{{lookup obj 'a\\'b'}}", { obj: { "a'b": 'escaped single' } });
c('lookup_root_data', '{{#each l}}{{lookup @root "x"}}{{/each}}', { x: 'X', l: [1, 2] });
c('lookup_hash_ignored', '{{lookup obj "a" extra=1}}', { obj: { a: 'A' } });
c('lookup_else_if_chain', '{{#if (lookup f "a")}}A{{else if (lookup f "b")}}B{{else}}none{{/if}}', { f: { a: false, b: true } });
c('lookup_string_length', '{{lookup s "length"}}', { s: 'abcd' });
c('lookup_unless_subexpression', '{{#unless (lookup f "x")}}no x{{/unless}}', { f: {} });
c('lookup_subexpression_whitespace', '{{lookup ( lookup  a   "b" )  "c" }}', { a: { b: { c: 'ws' } } });
c('lookup_three_levels', '{{lookup (lookup (lookup a "b") "c") "d"}}', { a: { b: { c: { d: 'D3' } } } });
c('lookup_array_in_array', '{{lookup (lookup m 1) 0}}', { m: [[1, 2], [3, 4]] });
c('lookup_zero_value', '[{{lookup o "z"}}]', { o: { z: 0 } });

// ---------------------------------------------------------------- literal_
c('literal_mustache_string_is_lookup', '{{"foo bar"}}', { 'foo bar': 'looked up' });
c('literal_mustache_number_is_lookup', '[{{1}}]', { 1: 'one' });
c('literal_mustache_true_is_lookup', '[{{true}}]', { true: 'T' });
c('literal_with_decimal_one_point_zero', '{{#with 1.0}}{{this}}{{/with}}', {});
c('literal_with_trailing_zero', '{{#with 1.50}}{{this}}{{/with}}', {});
c('literal_with_negative', '{{#with -3}}{{this}}{{/with}}', {});
c('literal_with_negative_decimal', '{{#with -0.25}}{{this}}{{/with}}', {});
c('literal_with_negative_zero', '{{#with -0}}[{{this}}]{{else}}else{{/with}}', {});
c('literal_with_zero', '{{#with 0}}[{{this}}]{{else}}else{{/with}}', {});
c('literal_with_single_quoted', "{{#with 'single'}}{{this}}{{/with}}", {});
c('literal_with_string_escapes_html', '{{#with "<&>"}}{{this}}{{/with}}', {});
c('literal_with_true', '{{#with true}}{{this}}{{/with}}', {});
c('literal_with_null', '{{#with null}}x{{else}}null{{/with}}', {});
c('literal_with_undefined', '{{#with undefined}}x{{else}}undefined{{/with}}', {});
c('literal_each_string_literal', '{{#each "abc"}}x{{else}}not iterable{{/each}}', {});
c('literal_lookup_string_literal_in_subexpr', '{{#with (lookup obj "k")}}{{this}}{{/with}}', { obj: { k: 'val' } });
c('literal_string_with_braces', '{{lookup obj "}}"}}', { obj: { '}}': 'braces key' } });
c('literal_empty_string_key', '[{{lookup obj ""}}]', { obj: { '': 'empty key' } });

// ---------------------------------------------------------------- hash_
c('hash_on_context_value_is_error', '{{name x=1}}', { name: 'Ann' }, { note: 'a hash makes it a helper call; the value is not a function, so handlebars throws (a JS TypeError)' });
c('hash_on_missing_value_renders_empty', '{{nope x=1}}', {});
c('hash_include_zero_on_if', '{{#if n includeZero=true}}has n{{/if}}', { n: 0 });
c('hash_values_to_partial', '{{> p s="str" n=3 f=1.5 neg=-2 t=true fl=false nu=null}}', {}, { partials: { p: '{{s}}|{{n}}|{{f}}|{{neg}}|{{t}}|{{fl}}|[{{nu}}]' } });
c('hash_path_values_to_partial', '{{> p who=person.name where=person.address.city}}', { person }, { partials: { p: '{{who}}@{{where}}' } });
c('hash_subexpression_value', '{{> p first=(lookup people 0)}}', { people: [{ name: 'A' }] }, { partials: { p: '{{first.name}}' } });
c('hash_single_quoted_value', "{{> p v='single \"q\"'}}", {}, { partials: { p: '{{v}}' } });
c('hash_spaces_around_equals_allowed', '{{> p v = "x"}}', {}, { partials: { p: '{{v}}' } });

// ---------------------------------------------------------------- subexpr_
c('subexpr_in_with', '{{#with (lookup a "b")}}{{c}}{{/with}}', { a: { b: { c: 'C' } } });
c('subexpr_in_each', '{{#each (lookup a "list")}}{{this}}{{/each}}', { a: { list: [1, 2] } });
c('subexpr_in_partial_context', '{{> p (lookup people 1)}}', { people: [{ name: 'A' }, { name: 'B' }] }, { partials: { p: '{{name}}' } });
c('subexpr_dynamic_key_from_each', '{{#each order}}{{lookup (lookup ../rows this) "v"}},{{/each}}', { order: ['r2', 'r1'], rows: { r1: { v: 1 }, r2: { v: 2 } } });
c('subexpr_missing_helper_no_args', '[{{lookup (nope) "x"}}]', {});
c('subexpr_missing_helper_with_args', '{{lookup (nope a) "x"}}', { a: 1 });
c('subexpr_value_in_context_no_args', '[{{lookup (obj) "x"}}]', { obj: { x: 'X' } });
c('subexpr_data_variable_arg', '{{#each l}}{{lookup ../names @index}}{{/each}}', { l: [0, 0], names: ['n0', 'n1'] });
c('subexpr_if_literal_arg', '{{#if (lookup o true)}}yes{{/if}}', { o: { true: 1 } });

// ---------------------------------------------------------------- comment_
c('comment_short', 'a{{! hidden }}b', {});
c('comment_long', 'a{{!-- hidden --}}b', {});
c('comment_empty', 'a{{!}}b', {});
c('comment_long_containing_mustaches', 'a{{!-- {{name}} }} {{#if}} --}}b', { name: 'N' });
c('comment_short_ends_at_first_close', 'a{{! x }} rest }}b', {});
c('comment_long_ends_at_first_dashes_close', 'a{{!-- x --}} y --}}b', {});
c('comment_multiline_short', 'a{{! line1\nline2 }}b', {});
c('comment_multiline_long', 'a{{!--\nline1\n}}\nline3\n--}}b', {});
c('comment_short_starting_with_dashes_not_long', 'a{{!- x -}}b', {});
c('comment_tilde_left_right', 'a \n {{~! c ~}} \n b', {});
c('comment_long_tilde', 'a  {{~!-- c --~}}  b', {});
c('comment_between_each_items', '{{#each l}}{{! per item }}{{this}}{{/each}}', { l: [1, 2] });
c('comment_standalone', 'a\n{{! standalone }}\nb', {});
c('comment_standalone_indented', 'a\n   {{! standalone }}  \nb', {});
c('comment_long_standalone_multiline', 'a\n  {{!--\n  many\n  lines\n  --}}\nb', {});
c('comment_standalone_crlf', 'a\r\n{{! c }}\r\nb', {});
c('comment_standalone_last_line', 'a\n  {{! c }}', {});
c('comment_standalone_first_line', '{{! c }}\nb', {});
c('comment_not_standalone_with_text', 'a\nx {{! c }}\nb', {});
c('comment_only_template', '{{! just a comment }}', {});

// ---------------------------------------------------------------- ws_ (whitespace control)
c('ws_mustache_left', 'a  \n {{~name}} b', { name: 'N' });
c('ws_mustache_right', 'a {{name~}} \n\n b', { name: 'N' });
c('ws_mustache_both', 'a \n {{~name~}} \n b', { name: 'N' });
c('ws_mustache_with_inner_spaces', 'a  {{~ name ~}}  b', { name: 'N' });
c('ws_does_not_strip_value_whitespace', '[ {{~name~}} ]', { name: '  padded  ' });
c('ws_triple_stash', 'a  {{~{raw}~}}  b', { raw: '<r>' });
c('ws_ampersand', 'a  {{~& raw~}}  b', { raw: '<r>' });
c('ws_block_open_left', 'x  {{~#if t}}  y{{/if}}', { t: true });
c('ws_block_open_right', 'x  {{#if t~}}  y  {{/if}}z', { t: true });
c('ws_block_close_left', '{{#if t}}  y  {{~/if}}  z', { t: true });
c('ws_block_close_right', '{{#if t}}  y  {{/if~}}  z', { t: true });
c('ws_block_all', 'a \n {{~#if t~}} \n b \n {{~/if~}} \n c', { t: true });
c('ws_else_both', '{{#if t}} yes {{~else~}} no {{/if}}', { t: false });
c('ws_else_both_truthy', '{{#if t}} yes {{~else~}} no {{/if}}', { t: true });
c('ws_else_if', '{{#if a}} A {{~else if b~}} B {{~else~}} C {{/if}}', { a: false, b: true });
c('ws_caret_else', '{{#if t}} yes {{~^~}} no {{/if}}', { t: false });
c('ws_inverse_section', 'a  {{~^v~}}  shown  {{~/v~}}  b', { v: false });
c('ws_each', '<ul>\n  {{~#each l~}}\n  <li>{{this}}</li>\n  {{~/each~}}\n</ul>', { l: [1, 2] });
c('ws_each_items_inline', '{{#each l~}} {{this}} {{~/each}}', { l: ['a', 'b'] });
c('ws_with', 'a  {{~#with o~}}  {{v}}  {{~/with~}}  b', { o: { v: 'V' } });
c('ws_partial_both', 'a  \n {{~> p ~}}  \n b', {}, { partials: { p: ' [p] ' } });
c('ws_partial_content_not_stripped', '{{~> p~}}', {}, { partials: { p: '\n  inner  \n' } });
c('ws_strips_multiple_newlines', 'a\n\n\n{{~name}}\n\n\nb', { name: 'N' });
c('ws_crlf', 'a \r\n {{~name~}} \r\n b', { name: 'N' });
c('ws_tabs', 'a\t\t{{~name~}}\t\tb', { name: 'N' });
c('ws_strips_nbsp', 'a\u00a0{{~name~}}\u00a0b', { name: 'N' });
c('ws_strips_ideographic_space', 'a\u3000{{~name~}}\u3000b', { name: 'N' });
c('ws_strips_line_separator_and_bom', 'a\u2028\ufeff{{~name~}}\u2029\u00a0b', { name: 'N' });
c('ws_strips_only_adjacent_text', 'a {{~x}} b {{~y}} c', { x: 'X', y: 'Y' });
c('ws_between_two_mustaches', '{{a~}}   {{~b}}', { a: 'A', b: 'B' });
c('ws_strips_entire_text_node', '{{a~}}   \n   {{b}}', { a: 'A', b: 'B' });
c('ws_does_not_cross_mustache', '{{a~}}{{b}} c', { a: 'A', b: '' });
c('ws_inside_each_block_start', '{{#each l}}\n  {{~this}}\n{{/each}}', { l: [1, 2] });
c('ws_nested_blocks', '{{#if a~}}\n  {{#if b~}}\n    x\n  {{~/if}}\n{{~/if}}', { a: true, b: true });
c('ws_standalone_open_with_tilde', 'a\n  {{~#if t}}\nb\n{{/if}}\nc', { t: true });
c('ws_standalone_close_with_tilde', 'a\n{{#if t}}\nb\n  {{~/if}}\nc', { t: true });
c('ws_standalone_open_with_right_tilde', 'a\n{{#if t~}}\n  b\n{{/if}}\nc', { t: true });
c('ws_comment_standalone_with_tilde', 'a\n  {{~! c }}\nb', {});
c('ws_backslash_escaped_tilde', 'a \\{{~name}}', { name: 'N' });

// ---------------------------------------------------------------- standalone_
c('standalone_if_block', 'a\n{{#if t}}\nb\n{{/if}}\nc\n', { t: true });
c('standalone_if_block_false', 'a\n{{#if t}}\nb\n{{/if}}\nc\n', { t: false });
c('standalone_if_else', '{{#if t}}\nyes\n{{else}}\nno\n{{/if}}\n', { t: false });
c('standalone_else_if_chain', '{{#if a}}\nA\n{{else if b}}\nB\n{{else}}\nC\n{{/if}}\n', { a: false, b: true });
c('standalone_unless', '{{#unless t}}\nshown\n{{/unless}}\n', { t: false });
c('standalone_each', 'list:\n{{#each l}}\n- {{this}}\n{{/each}}\nend\n', { l: ['a', 'b'] });
c('standalone_each_else', '{{#each l}}\n- {{this}}\n{{else}}\n(none)\n{{/each}}\n', { l: [] });
c('standalone_each_object', '{{#each o}}\n{{@key}}: {{this}}\n{{/each}}\n', { o: { a: 1, b: 2 } });
c('standalone_with', '{{#with o}}\n{{v}}\n{{/with}}\n', { o: { v: 'V' } });
c('standalone_inverse_section', '{{^v}}\nnone\n{{/v}}\n', { v: [] });
c('standalone_block_value', '{{#o}}\n{{v}}\n{{/o}}\n', { o: { v: 'V' } });
c('standalone_caret_else', '{{#if t}}\nyes\n{{^}}\nno\n{{/if}}\n', { t: false });
c('standalone_leading_spaces', 'a\n    {{#if t}}\n  b\n    {{/if}}\nc', { t: true });
c('standalone_leading_tabs', 'a\n\t{{#if t}}\n\tb\n\t{{/if}}\nc', { t: true });
c('standalone_trailing_spaces', 'a\n{{#if t}}   \nb\n{{/if}}\t\nc', { t: true });
c('standalone_crlf_if', 'a\r\n{{#if t}}\r\nb\r\n{{/if}}\r\nc\r\n', { t: true });
c('standalone_crlf_each', '{{#each l}}\r\n- {{this}}\r\n{{/each}}\r\n', { l: [1, 2] });
c('standalone_crlf_else', '{{#if t}}\r\nY\r\n{{else}}\r\nN\r\n{{/if}}\r\n', { t: false });
c('standalone_last_line_no_newline', 'a\n{{#if t}}\nb\n{{/if}}', { t: true });
c('standalone_last_line_indented_no_newline', 'a\n{{#if t}}\nb\n  {{/if}}', { t: true });
c('standalone_first_line', '{{#if t}}\nb\n{{/if}}\n', { t: true });
c('standalone_whole_template_single_tag_line', '{{#if t}}\n{{/if}}', { t: true });
c('standalone_not_with_text_before', 'a {{#if t}}\nb\n{{/if}}\n', { t: true });
c('standalone_not_with_text_after', '{{#if t}} a\nb\n{{/if}}\n', { t: true });
c('standalone_not_two_tags_on_line', '{{#if a}}{{#if b}}\nx\n{{/if}}{{/if}}\n', { a: true, b: true });
c('standalone_open_close_same_line', 'a\n{{#if t}}{{/if}}\nb', { t: true });
c('standalone_mustache_never_standalone', 'a\n  {{name}}\nb', { name: 'N' });
c('standalone_mustache_empty_value_keeps_line', 'a\n  {{name}}\nb', { name: '' });
c('standalone_triple_never_standalone', 'a\n{{{name}}}\nb', { name: 'N' });
c('standalone_nested_blocks', '{{#each groups}}\n## {{name}}\n  {{#each items}}\n  - {{this}}\n  {{/each}}\n{{/each}}\n', { groups: [{ name: 'G1', items: ['a', 'b'] }, { name: 'G2', items: [] }] });
c('standalone_if_inside_each', '{{#each l}}\n{{#if this.on}}\n+{{this.n}}\n{{else}}\n-{{this.n}}\n{{/if}}\n{{/each}}\n', { l: [{ n: 1, on: true }, { n: 2, on: false }] });
c('standalone_blank_lines_preserved', '{{#if t}}\n\nx\n\n{{/if}}\n', { t: true });
c('standalone_whitespace_only_line_kept', 'a\n   \nb', {});
c('standalone_else_with_spaces', '{{#if t}}\nY\n  {{ else }}  \nN\n{{/if}}', { t: false });
c('standalone_lone_cr_not_newline', 'a\r{{#if t}}\rb\r{{/if}}\rc', { t: true });
c('standalone_mixed_lf_crlf', 'a\n{{#if t}}\r\nb\n{{/if}}\r\nc', { t: true });
c('standalone_close_followed_by_eof_after_newline', '{{#each l}}\n{{this}}\n{{/each}}\n', { l: [] });
c('standalone_partial', 'a\n{{> p}}\nb', {}, { partials: { p: 'P\n' } });
c('standalone_partial_indent', 'a\n  {{> p}}\nb', {}, { partials: { p: 'x\ny\n' } });
c('standalone_partial_indent_no_trailing_newline', 'a\n  {{> p}}\nb', {}, { partials: { p: 'x\ny' } });
c('standalone_partial_indent_blank_lines', 'a\n  {{> p}}\nb', {}, { partials: { p: 'x\n\ny\n' } });
c('standalone_partial_indent_tab', 'a\n\t{{> p}}\nb', {}, { partials: { p: 'x\ny\n' } });
c('standalone_partial_indent_crlf', 'a\r\n  {{> p}}\r\nb', {}, { partials: { p: 'x\r\ny\r\n' } });
c('standalone_partial_indent_nested', '{{> outer}}', {}, { partials: { outer: 'o1\n  {{> inner}}\no2\n', inner: 'i1\ni2\n' } });
c('standalone_partial_indent_applies_to_values', '  {{> p}}\n', { v: 'l1\nl2' }, { partials: { p: '[{{v}}]\n' } });
c('standalone_partial_last_line_no_newline', 'a\n  {{> p}}', {}, { partials: { p: 'x\ny\n' } });
c('standalone_partial_first_line', '{{> p}}\nb', {}, { partials: { p: 'P\n' } });
c('standalone_partial_not_standalone_inline', 'a {{> p}} b\n', {}, { partials: { p: 'x\ny\n' } });
c('standalone_partial_in_each', '{{#each l}}\n  {{> item}}\n{{/each}}\n', { l: [{ n: 1 }, { n: 2 }] }, { partials: { item: '- {{n}}\n' } });
c('standalone_partial_indent_with_block_inside', '  {{> p}}\n', { l: [1, 2] }, { partials: { p: '{{#each l}}\n* {{this}}\n{{/each}}\n' } });
c('standalone_partial_empty', 'a\n  {{> p}}\nb', {}, { partials: { p: '' } });
c('standalone_partial_with_context', '  {{> p o}}\n', { o: { v: 'V' } }, { partials: { p: '{{v}}\n' } });
c('standalone_partial_with_tilde', 'a\n  {{~> p}}\nb', {}, { partials: { p: 'x\ny\n' } });

// ---------------------------------------------------------------- partial_
c('partial_basic', 'Hello {{> name}}!', { n: 'Ann' }, { partials: { name: '<{{n}}>' } });
c('partial_context_argument', '{{> p person}}', { person }, { partials: { p: '{{name}}/{{address.city}}' } });
c('partial_context_this', '{{> p this}}', { v: 'V' }, { partials: { p: '{{v}}' } });
c('partial_context_primitive', '{{> p name}}', { name: 'Ann' }, { partials: { p: '[{{this}}]' } });
c('partial_context_missing', '{{> p nope}}', { v: 'outer' }, { partials: { p: '[{{v}}][{{this}}]' } });
c('partial_hash_arguments', '{{> p greeting="Hi" who=name}}', { name: 'Ann' }, { partials: { p: '{{greeting}}, {{who}}' } });
c('partial_hash_keeps_outer_context', '{{> p extra="E"}}', { name: 'Ann' }, { partials: { p: '{{name}} {{extra}}' } });
c('partial_context_and_hash', '{{> p person title="Dr."}}', { person }, { partials: { p: '{{title}} {{name}}' } });
c('partial_hash_overrides_context', '{{> p person name="Override"}}', { person }, { partials: { p: '{{name}}' } });
c('partial_hash_over_string_context_spreads_its_characters', '{{#each l}}{{> p this k=1}};{{/each}}{{> p "héllo" k=2}}', { l: ['xy', 'éz'] }, { partials: { p: '[{{0}}{{1}}{{2}}|{{k}}|{{length}}|{{this}}]' } });
c('partial_hash_over_number_context_is_the_hash', '{{> p 5 k=1}}{{> p true k=2}}{{> p n k=3}}', { n: null }, { partials: { p: '[{{k}}|{{this}}]' } });
c('partial_in_each', '{{#each people}}{{> row}}{{/each}}', { people: [{ name: 'A' }, { name: 'B' }] }, { partials: { row: '<{{name}}>' } });
c('partial_in_each_with_index', '{{#each l}}{{> p}} {{/each}}', { l: ['a', 'b'] }, { partials: { p: '{{@index}}={{this}}' } });
c('partial_parent_path_inside_partial', '{{#each l}}{{> p}} {{/each}}', { top: 'T', l: [1, 2] }, { partials: { p: '{{this}}{{../top}}' } });
c('partial_parent_path_inside_partial_in_with', '{{#with a}}{{> p}}{{/with}}', { top: 'T', a: { v: 'V' } }, { partials: { p: '{{v}}[{{../top}}]' } });
c('partial_parent_path_inside_partial_each', '{{> p}}', { top: 'T', l: [1, 2] }, { partials: { p: '{{#each l}}{{this}}{{../top}} {{/each}}' } });
c('partial_root_inside_partial', '{{#with a}}{{> p}}{{/with}}', { r: 'R', a: {} }, { partials: { p: '{{@root.r}}' } });
c('partial_nested', '{{> outer}}', { v: 'V' }, { partials: { outer: '(o {{> inner}})', inner: '(i {{v}})' } });
c('partial_recursive_tree', '{{> node tree}}', { tree: { name: 'root', children: [{ name: 'a', children: [{ name: 'a1', children: [] }] }, { name: 'b', children: [] }] } },
  { partials: { node: '{{name}}{{#if children.length}}[{{#each children}}{{> node}}{{/each}}]{{/if}}' } });
c('partial_missing_renders_error', '{{> nope}}', {});
c('partial_name_with_dash', '{{> my-partial}}', {}, { partials: { 'my-partial': 'dash' } });
c('partial_name_with_slash', '{{> dir/name}}', {}, { partials: { 'dir/name': 'slash' } });
c('partial_name_with_dot', '{{> a.b}}', {}, { partials: { 'a.b': 'dot' } });
c('partial_name_string_literal', '{{> "my partial"}}', {}, { partials: { 'my partial': 'string-named' } });
c('partial_whitespace_in_tag', '{{>   p   }}', {}, { partials: { p: 'ws' } });
c('partial_no_space_after_gt', '{{>p}}', {}, { partials: { p: 'nospace' } });
c('partial_escaping_inside', '{{> p}}', { v: '<&>' }, { partials: { p: '{{v}}|{{{v}}}' } });
c('partial_inside_if', '{{#if t}}{{> p}}{{/if}}', { t: true }, { partials: { p: 'P' } });
c('partial_inside_with', '{{#with o}}{{> p}}{{/with}}', { o: { v: 'in' } }, { partials: { p: '{{v}}' } });
c('partial_empty_source', '[{{> p}}]', {}, { partials: { p: '' } });
c('partial_parse_error_in_partial', '{{> p}}', {}, { partials: { p: '{{#if x}}' } });
c('partial_unicode', '{{> p}}', { v: '✓' }, { partials: { p: '→ {{v}} ←' } });
c('partial_used_twice', '{{> p}}-{{> p}}', { v: 1 }, { partials: { p: '{{v}}' } });
c('partial_hash_in_each_with_parent', '{{#each l}}{{> p item=this owner=../owner}} {{/each}}', { owner: 'O', l: ['x', 'y'] }, { partials: { p: '{{item}}:{{owner}}' } });
c('partial_context_array', '{{> p list}}', { list: [1, 2] }, { partials: { p: '{{#each this}}{{this}}{{/each}}' } });
c('partial_whitespace_control_inside_partial', '{{> p}}', { v: 'V' }, { partials: { p: '  {{~v~}}  ' } });
c('partial_standalone_comment_inside', '{{> p}}', {}, { partials: { p: '{{! note }}\nbody\n' } });
c('partial_helper_missing_inside', '{{> p}}', {}, { partials: { p: '{{nope arg}}' } });

// ---------------------------------------------------------------- number_
c('number_integer', '{{n}}', { n: 42 });
c('number_one_point_zero', '{{n}}', { n: 1.0 });
c('number_hundred_point_zero', '{{n}}', { n: 100.0 });
c('number_decimal', '{{n}}', { n: 3.14 });
c('number_point_one_plus_point_two', '{{n}}', { n: 0.1 + 0.2 });
c('number_one_third', '{{n}}', { n: 1 / 3 });
c('number_two_thirds', '{{n}}', { n: 2 / 3 });
c('number_negative_int', '{{n}}', { n: -5 });
c('number_negative_decimal', '{{n}}', { n: -2.5 });
c('number_zero', '{{n}}', { n: 0 });
c('number_1e20', '{{n}}', { n: 1e20 });
c('number_1e21', '{{n}}', { n: 1e21 });
c('number_1_5e21', '{{n}}', { n: 1.5e21 });
c('number_1e300', '{{n}}', { n: 1e300 });
c('number_max_double', '{{n}}', { n: Number.MAX_VALUE });
c('number_small_1e_minus_6', '{{n}}', { n: 0.000001 });
c('number_small_1e_minus_7', '{{n}}', { n: 1e-7 });
c('number_small_1_5e_minus_10', '{{n}}', { n: 1.5e-10 });
c('number_min_subnormal', '{{n}}', { n: 5e-324 });
c('number_max_safe_integer', '{{n}}', { n: 9007199254740991 });
c('number_above_max_safe_integer', '{{n}}', { n: 9007199254740993 }, { note: 'JS rounds the literal to 9007199254740992 (golden.json data shows the rounded value).' });
c('number_large_int_twenty_digits', '{{n}}', { n: 12345678901234567890 });
c('number_negative_large', '{{n}}', { n: -1e21 });
c('number_float_precision_17', '{{n}}', { n: 123456789.12345679 });
c('number_in_array_join', '{{list}}', { list: [1.0, 0.5, 1e21, -0.1] });
c('number_in_each', '{{#each l}}{{this}} {{/each}}', { l: [10, 2.50, 1e-7] });
c('number_as_object_key_lookup', '{{lookup o n}}', { n: 2, o: { 2: 'two' } });
c('number_negative_zero_literal_prints_zero', '{{#with -0}}{{this}}{{/with}}', {});
c('number_literal_exponent_is_a_path', '{{#with 1e3}}{{this}}{{else}}not a number{{/with}}|{{1e3}}', { '1e3': 'path' });

// ---------------------------------------------------------------- truthy_ (matrix)
const truthyValues = [
  ['zero', 0], ['empty_string', ''], ['empty_array', []], ['null', null], ['false', false],
  ['empty_object', {}], ['string_zero', '0'], ['string_false', 'false'], ['one', 1],
  ['nonempty_array', [0]], ['space', ' '],
];
for (const [label, value] of truthyValues) {
  c(`truthy_if_${label}`, '{{#if v}}T{{else}}F{{/if}}', { v: value });
}
c('truthy_if_missing', '{{#if v}}T{{else}}F{{/if}}', {});
for (const [label, value] of truthyValues) {
  c(`truthy_block_${label}`, '{{#v}}T{{else}}F{{/v}}', { v: value });
}
for (const [label, value] of truthyValues) {
  c(`truthy_inverse_${label}`, '{{^v}}F{{else}}T{{/v}}', { v: value });
}
for (const [label, value] of truthyValues) {
  c(`truthy_with_${label}`, '{{#with v}}T{{else}}F{{/with}}', { v: value });
}
for (const [label, value] of truthyValues) {
  c(`truthy_unless_${label}`, '{{#unless v}}F{{else}}T{{/unless}}', { v: value });
}

// ---------------------------------------------------------------- unicode_
c('unicode_keys_are_not_normalized', '{{#each o}}{{@key}}={{this}};{{/each}}[{{o.é}}][{{lookup o k}}][{{o.K}}]', { o: { '\u00e9': 'pre', 'e\u0301': 'dec', '\u212a': 'kelvin' }, k: 'e\u0301' });
c('unicode_keys_are_not_normalized_big_object', '{{#each o}}{{@key}};{{/each}}[{{o.[e\u0301]}}]', { o: { '\u00e9': 'pre', 'e\u0301': 'dec', a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9 } });
c('unicode_block_close_must_match_exactly', '{{#\u00e9}}x{{/e\u0301}}', { '\u00e9': true });
c('unicode_javascript_spaces_inside_mustaches', '{{\u00a0name\u3000}}|{{{\ufeffname}}}|{{#if\u2003t}}y{{/if}}|{{lookup\u00a0this\u00a0"name"}}', { name: 'Ann', t: true });
c('unicode_string_loose_equality_keeps_the_context', '{{#with s}}{{#with @root.n}}[{{../this}}]{{/with}}{{/with}}{{#with d}}{{#with @root.c}}[{{../this}}]{{/with}}{{/with}}', { s: '0x10', n: 16, d: 'e\u0301', c: '\u00e9' });
c('unicode_emoji_value', '{{v}}', { v: '🎉🚀' });
c('unicode_zwj_sequence', '{{v}}', { v: '👩‍👩‍👧‍👦' });
c('unicode_cjk_value', '{{v}}', { v: '日本語のテキスト' });
c('unicode_combining_marks', '{{v}}|{{v2}}', { v: 'e\u0301', v2: '\u00e9' });
c('unicode_rtl', '{{v}}', { v: 'שלום עולם' });
c('unicode_escaped_around', '{{v}}', { v: '<😀 & 中>' });
c('unicode_template_text', '✔ {{v}} — «ok» 漢字\n', { v: 'x' });
c('unicode_cjk_key', '{{名前}}', { 名前: '太郎' });
c('unicode_emoji_key', '{{🎉}}', { '🎉': 'party' });
c('unicode_emoji_segment_literal', '{{[🎉 x]}}', { '🎉 x': 'party x' });
c('unicode_combining_key', '{{cafe\u0301}}', { 'cafe\u0301': 'coffee' });
c('unicode_each_keys', '{{#each o}}{{@key}}={{this}};{{/each}}', { o: { 東京: 1, 'ü': 2, '🍣': 3 } });
c('unicode_partial_indent', '  {{> p}}\n', {}, { partials: { p: '→a\n→b\n' } });
c('unicode_lookup_key', '{{lookup o "ключ"}}', { o: { ключ: 'значение' } });
c('unicode_line_separator_in_text', 'a\u2028{{v}}\u2029b', { v: 'x' });
c('unicode_bom_in_template', '\ufeff{{v}}', { v: 'x' });

// ---------------------------------------------------------------- helper_missing_
c('helper_missing_no_params_renders_empty', '[{{nope}}]', {});
c('helper_missing_path_param', '{{foo bar}}', { bar: 1 });
c('helper_missing_string_param', '{{foo "x"}}', {});
c('helper_missing_number_param', '{{foo 1}}', {});
c('helper_missing_block_with_param', '{{#foo bar}}x{{/foo}}', { bar: 1 });
c('helper_missing_dotted_with_param', '{{foo.bar baz}}', {});
c('helper_missing_triple_with_param', '{{{foo bar}}}', {});
c('helper_missing_in_each', '{{#each l}}{{foo this}}{{/each}}', { l: [1] });
c('helper_missing_context_string_with_param', '{{name bar}}', { name: 'Ann', bar: 1 },
  { note: 'the context value is not a function, so handlebars throws (a JS TypeError, not helperMissing)' });
c('helper_missing_context_value_block_with_param', '{{#obj bar}}{{v}}{{/obj}}', { obj: { v: 'V' }, bar: 1 });

// ---------------------------------------------------------------- builtin_arity_ (runtime errors)
c('error_if_no_param', '{{#if}}x{{/if}}', {});
c('error_if_two_params', '{{#if a b}}x{{/if}}', { a: 1, b: 1 });
c('error_unless_no_param', '{{#unless}}x{{/unless}}', {});
c('error_with_no_param', '{{#with}}x{{/with}}', {});
c('error_each_no_param', '{{#each}}x{{/each}}', {});

// ---------------------------------------------------------------- error_ (parse errors and unsupported)
c('error_unclosed_if', '{{#if a}}x', { a: 1 });
c('error_nul_byte_in_text', 'a\u0000b', {});
c('error_nul_byte_in_block', '{{#if a}}\u0000{{/if}}', { a: 1 });
c('error_unclosed_each', 'a\n{{#each l}}\nx\n', { l: [] });
c('error_unclosed_nested', '{{#if a}}{{#each l}}x{{/if}}', {});
c('error_mismatched_close', '{{#if a}}x{{/each}}', { a: 1 });
c('error_mismatched_nested_order', '{{#if a}}{{#each b}}{{/if}}{{/each}}', {});
c('error_stray_close', 'x{{/if}}', {});
c('error_lone_open', 'a {{ b', {});
c('error_open_at_end', 'a {{', {});
c('error_unclosed_mustache', '{{foo', {});
c('error_single_close_brace', '{{foo}', {});
c('error_triple_stash_mismatch', '{{{foo}}', {});
c('error_empty_mustache', '{{}}', {});
c('error_stray_else', 'a{{else}}b', {});
c('error_stray_caret_else', 'a{{^}}b', {});
c('error_double_else', '{{#if a}}x{{else}}y{{else}}z{{/if}}', {});
c('error_block_no_name', '{{#}}x{{/}}', {});
c('error_partial_no_name', '{{>}}', {});
c('error_invalid_path_parent_in_middle', '{{a/../b}}', {});
c('error_invalid_path_this_in_middle', '{{a.this}}', {});
c('error_unclosed_long_comment', 'a {{!-- never closed }}', {});
c('error_unclosed_segment_literal', '{{[a b}}', {});
c('error_unclosed_string_literal', '{{lookup o "abc}}', {});
c('error_unclosed_subexpression', '{{lookup (lookup a "b" "c"}}', {});
c('error_hash_before_positional', '{{lookup a=1 obj}}', {});
c('error_close_with_params', '{{#if a}}x{{/if a}}', {});
c('error_close_tag_in_triple', '{{{/if}}}', {});
c('error_decorator', '{{* foo}}x', {}, { loopsealError: 'decorators are not supported' });
c('error_decorator_block', '{{#* foo}}x{{/foo}}', {}, { loopsealError: 'decorators are not supported' });
c('inline_partial_block', '{{#*inline "x"}}inline{{/inline}}{{> x}}', {});
c('partial_block_fallback', '{{#> p}}fallback{{/p}}', {});
c('raw_block_missing_helper', '{{{{raw}}}}{{x}}{{{{/raw}}}}', {});
c('raw_block_section_value', '{{{{raw}}}} {{x}} {{{{raw}}}}{{{{/raw}}}} {{{{/raw}}}}!', { raw: true, x: 1 });
c('raw_block_standalone_lines', 'a\n{{{{raw}}}}\n {{x}}\n{{{{/raw}}}}\nb', { raw: [1, 2] });
c('partial_block_layout_standalone', '{{#> layout title="T"}}\n  {{#*inline "body"}}\n  Body {{name}}\n  {{/inline}}\n  default {{title}}\n{{/layout}}\nafter\n',
  { name: 'N', title: 'root' }, { partials: { layout: '<h1>{{title}}</h1>\n  {{> body}}\n{{> @partial-block}}\nend\n' } });
c('partial_block_each_index', '{{#each l}}{{#> item}}[{{@index}}:{{this}}]{{/item}}{{/each}}', { l: ['a', 'b'] },
  { partials: { item: '<{{> @partial-block}}>' } });
c('raw_block_empty', '{{{{raw}}}}{{{{/raw}}}}|', { raw: true });
c('partial_block_value_false_when_empty', '{{#> lay}}{{/lay}}{{#> lay}}{{! c }}{{/lay}}', {},
  { partials: { lay: '{{#if @partial-block}}Y{{else}}N{{/if}}' } });
c('partial_block_value_renders_without_context', '{{#> p}}{{b}}{{/p}}', { b: 2 },
  { partials: { p: '{{#if @partial-block}}Y{{else}}N{{/if}}[{{> @partial-block}}]{{#unless @partial-block}}U{{/unless}}' } });
c('partial_block_value_printed', '{{#> p}}X<{{/p}}', {}, { partials: { p: '[{{@partial-block}}|{{{@partial-block}}}]' } });
c('partial_block_own_inline_does_not_hide_partial', '{{#> q}}{{#*inline "q"}}INLINE{{/inline}}BLOCK{{/q}}|{{#> r}}{{#*inline "r"}}INLINE{{/inline}}BLOCK{{/r}}', {},
  { partials: { q: 'FILE[{{> @partial-block}}]' } });
c('partial_parent_path_not_passed', '{{> q xs}}{{../a}}|{{#with o}}{{> q y}}{{/with}}', { a: 'RA', o: { a: 'OA', y: { a: 'YA' } }, xs: [1] },
  { partials: { q: '[{{../a}}]' } });
c('inline_partial_parent_path_where_defined',
  '{{#*inline "p"}}[{{../a}}]{{/inline}}{{#with o}}{{#with y}}{{> p}}{{/with}}{{/with}}|{{#with o}}{{#*inline "p"}}[{{../a}}|{{../../a}}]{{/inline}}{{> p y}}{{#with y}}{{> p}}{{/with}}{{/with}}',
  { a: 'RA', o: { a: 'OA', y: { a: 'YA' } } });
c('partial_block_parent_path_in_block_and_partial', '{{#with o}}{{#> f y}}{{../a}}{{/f}}{{/with}}', { a: 'RA', o: { a: 'OA', y: { a: 'YA' } } },
  { partials: { f: '[{{../a}}|{{> @partial-block}}]' } });
c('partial_indent_nested', 'a\n  {{> p}}\nb\n', {}, { partials: { p: 'x\n  {{> q}}\ny\n\n', q: '1\n\n2\n' } });
c('inline_partial_overrides_registered', '{{#*inline "p"}}inline{{/inline}}{{> p}} {{#with o}}{{> p}}{{/with}}', { o: {} },
  { partials: { p: 'file' } });
c('error_missing_partial', 'a {{> nope}} b', {});
c('error_missing_partial_in_each', '{{#each l}}{{> row}}{{/each}}', { l: [1] });
c('error_missing_partial_not_rendered_branch', '{{#if f}}{{> nope}}{{/if}}ok', { f: false });
c('error_helper_missing_deep_in_template', 'line1\nline2 {{#each l}}\n  {{oops this}}\n{{/each}}', { l: [1] });

// ---------------------------------------------------------------- strict_
const S = { strict: true };
c('strict_present', '{{name}} {{address.city}}', person, S);
c('strict_missing_top', '{{nope}}', {}, S);
c('strict_missing_nested_last', '{{a.b}}', { a: {} }, S);
c('strict_missing_first_of_three', '{{a.b.c}}', {}, S);
c('strict_missing_second_of_three', '{{a.b.c}}', { a: {} }, S);
c('strict_null_value_renders_empty', '[{{v}}]', { v: null }, S);
c('strict_null_intermediate', '[{{a.b}}]', { a: null }, S);
c('strict_false_value', '[{{v}}]', { v: false }, S);
c('strict_zero_value', '[{{v}}]', { v: 0 }, S);
c('strict_empty_string_value', '[{{v}}]', { v: '' }, S);
c('strict_triple_missing', '{{{nope}}}', {}, S);
c('strict_triple_present', '{{{v}}}', { v: '<b>' }, S);
c('strict_if_missing', '{{#if nope}}x{{else}}y{{/if}}', {}, S);
c('strict_if_present_false', '{{#if v}}x{{else}}y{{/if}}', { v: false }, S);
c('strict_if_nested_first_missing', '{{#if a.b}}x{{else}}y{{/if}}', {}, S);
c('strict_if_nested_missing', '{{#if a.b}}x{{else}}y{{/if}}', { a: {} }, S);
c('strict_unless_missing', '{{#unless nope}}x{{/unless}}', {}, S);
c('strict_else_if_missing', '{{#if a}}A{{else if nope}}B{{else}}C{{/if}}', { a: false }, S);
c('strict_each_missing', '{{#each nope}}x{{/each}}', {}, S);
c('strict_each_present', '{{#each l}}{{this}}{{/each}}', { l: [1, 2] }, S);
c('strict_each_item_field_missing', '{{#each l}}{{name}}{{/each}}', { l: [{ name: 'a' }, {}] }, S);
c('strict_with_missing', '{{#with nope}}x{{else}}y{{/with}}', {}, S);
c('strict_with_present', '{{#with o}}{{v}}{{/with}}', { o: { v: 'V' } }, S);
c('strict_parent_present', '{{#with o}}{{../top}}{{/with}}', { top: 'T', o: {} }, S);
c('strict_parent_missing', '{{#with o}}{{../nope}}{{/with}}', { o: {} }, S);
c('strict_root_present', '{{#with o}}{{@root.top}}{{/with}}', { top: 'T', o: {} }, S);
c('strict_root_missing', '{{@root.nope}}', {}, S);
c('strict_data_index', '{{#each l}}{{@index}}{{/each}}', { l: ['a', 'b'] }, S);
c('strict_data_missing', '[{{@nope}}]', {}, S);
c('strict_each_nested_first_missing', '{{#each a.b}}x{{else}}y{{/each}}', {}, S);
c('strict_lookup_missing_key', '[{{lookup o "nope"}}]', { o: {} }, S);
c('strict_lookup_missing_object', '[{{lookup nope "k"}}]', {}, S);
c('strict_block_value_missing', '{{#nope}}x{{/nope}}', {}, S);
c('strict_block_value_present', '{{#o}}{{v}}{{/o}}', { o: { v: 'V' } }, S);
c('strict_inverse_missing', '{{^nope}}x{{/nope}}', {}, S);
c('strict_helper_missing_with_param', '{{foo bar}}', { bar: 1 }, S);
c('strict_helper_param_missing', '{{lookup nope.deeper "x"}}', {}, S);
c('strict_segment_literal_present', '{{[a b]}}', { 'a b': 'AB' }, S);
c('strict_array_index_out_of_range', '{{l.[3]}}', { l: [1] }, S);
c('strict_array_index_present', '{{l.[0]}}', { l: ['first'] }, S);
c('strict_this', '{{#each l}}{{this}}{{/each}}', { l: ['x'] }, S);
c('strict_partial_present', '{{> p}}', { v: 'V' }, Object.assign({ partials: { p: '{{v}}' } }, S));
c('strict_partial_missing_path', '{{> p}}', {}, Object.assign({ partials: { p: '{{nope}}' } }, S));
c('strict_partial_hash', '{{> p v=x}}', { x: 'X' }, Object.assign({ partials: { p: '{{v}}' } }, S));
c('strict_missing_in_false_branch_not_evaluated', '{{#if f}}{{nope}}{{/if}}ok', { f: false }, S);
c('strict_missing_deep_line_number', 'line1\nline2\n  {{a.nope}}\n', { a: {} }, S);
c('strict_string_length', '{{s.length}}', { s: 'abc' }, S);
c('strict_subexpression_missing', '{{#with (lookup o "k")}}{{nope}}{{/with}}', { o: { k: {} } }, S);

// ---------------------------------------------------------------- blockparam_ (optional feature)
const BP = { optional: 'block_params' };
c('blockparam_each_item', '{{#each l as |item|}}{{item}};{{/each}}', { l: ['a', 'b'] }, BP);
c('blockparam_each_item_index', '{{#each l as |item i|}}{{i}}={{item}};{{/each}}', { l: ['a', 'b'] }, BP);
c('blockparam_each_object_key', '{{#each o as |val key|}}{{key}}={{val}};{{/each}}', { o: { x: 1, y: 2 } }, BP);
c('blockparam_with', '{{#with person as |p|}}{{p.name}}{{/with}}', { person }, BP);
c('blockparam_nested_outer_reference', '{{#each rows as |row r|}}{{#each row as |cell c|}}{{r}}.{{c}}={{cell}} {{/each}}{{/each}}', { rows: [['a', 'b'], ['c']] }, BP);
c('blockparam_shadows_context', '{{#each l as |name|}}{{name}}{{/each}}', { l: [{ name: 'ctx' }] }, BP);
c('blockparam_field_access', '{{#each people as |p|}}{{p.name}}:{{p.address.city}} {{/each}}', { people: [person] }, BP);

// ---------------------------------------------------------------- doc_ (realistic documents)
c('doc_workflow_secret_keys_report',
  '# Secrets for {{workspace}}\n\n{{#each secretKeys}}- **{{this.key}}**: {{#if this.hasValue}}has value{{else}}no value{{/if}}\n{{/each}}\nTotal: {{secretKeys.length}}\n',
  { workspace: 'prod', secretKeys: [{ key: 'API_TOKEN', hasValue: true }, { key: 'DB_PASSWORD', hasValue: false }, { key: 'SMTP_<HOST>', hasValue: true }] });
c('doc_release_notes',
  '# Release {{version}}\n\n{{#if breaking}}\n> **Breaking changes**\n{{#each breaking}}\n> - {{this}}\n{{/each}}\n\n{{/if}}\n{{#each sections}}\n## {{title}}\n\n{{#each items}}\n- {{summary}}{{#if issue}} (#{{issue}}){{/if}}\n{{else}}\n_Nothing here._\n{{/each}}\n\n{{/each}}\nThanks to {{#each contributors}}@{{this}}{{#unless @last}}, {{/unless}}{{/each}}.\n',
  { version: '1.4.0', breaking: ['Config key `vault` renamed to `store`'], sections: [{ title: 'Features', items: [{ summary: 'Add sync <dry-run>', issue: 12 }, { summary: 'Faster unseal' }] }, { title: 'Fixes', items: [] }], contributors: ['ann', 'bob', 'cé'] });
c('doc_sync_status_table',
  '| Workspace | Status | Last sync |\n|---|---|---|\n{{#each workspaces}}\n| {{name}} | {{#if ok}}✅{{else if pending}}⏳{{else}}❌{{/if}} | {{#if lastSync}}{{lastSync}}{{else}}never{{/if}} |\n{{/each}}\n',
  { workspaces: [{ name: 'prod', ok: true, lastSync: '2024-05-01T10:00:00Z' }, { name: 'staging', ok: false, pending: true, lastSync: null }, { name: 'dev', ok: false }] });
c('doc_with_partials',
  '{{> header title="Audit report"}}\n{{#each entries}}\n  {{> entry}}\n{{/each}}\n{{> footer}}',
  { generated: '2024-06-01', entries: [{ actor: 'ann', action: 'seal', target: 'API_KEY' }, { actor: 'bob', action: 'rotate', target: 'DB "main"' }] },
  { partials: { header: '# {{title}}\n_Generated {{generated}}_\n', entry: '- {{actor}} did **{{action}}** on `{{target}}`\n  ({{@index}} of {{@root.entries.length}})\n', footer: '---\n{{entries.length}} entries\n' } });
c('doc_vault_summary_with',
  '{{#with vault}}\n## Vault {{name}}\n{{#with stats}}\n- secrets: {{count}}\n- size: {{bytes}} bytes\n{{/with}}\n{{#with owner}}\nOwner: {{name}} <{{email}}>\n{{else}}\nOwner: (unassigned)\n{{/with}}\n{{/with}}\n',
  { vault: { name: 'main', stats: { count: 12, bytes: 4096.0 }, owner: null } });
c('doc_nested_tree_partial',
  '# Tree\n{{#each roots}}\n{{> node}}\n{{/each}}\n',
  { roots: [{ name: 'src', children: [{ name: 'main.swift', children: [] }, { name: 'lib', children: [{ name: 'a.swift', children: [] }] }] }, { name: 'README.md', children: [] }] },
  { partials: { node: '- {{name}}\n{{#each children}}\n  {{> node}}\n{{/each}}\n' } });
c('doc_crlf_report',
  'Report for {{user}}\r\n{{#each items}}\r\n  * {{name}}: {{#if done}}done{{else}}open{{/if}}\r\n{{/each}}\r\n{{! footer follows }}\r\nEnd\r\n',
  { user: 'ann', items: [{ name: 'one', done: true }, { name: 'two', done: false }] });
c('doc_user_content_escaping',
  '<h1>{{title}}</h1>\n<ul>\n{{#each comments}}\n  <li data-author="{{author}}">{{body}}</li>\n{{/each}}\n</ul>\n<div>{{{trustedFooter}}}</div>\n',
  { title: 'Tom & Jerry\'s "show"', comments: [{ author: 'x" onmouseover="alert(1)', body: '<script>alert(`hi`)</script>' }, { author: 'a=b', body: 'ok' }], trustedFooter: '<em>footer</em>' });
c('doc_strict_workflow_env',
  '# {{workflow.name}}\n{{#each workflow.steps}}\n{{@index}}. {{name}}{{#if env}} with{{#each env}} {{@key}}={{this}}{{/each}}{{/if}}\n{{/each}}\n',
  { workflow: { name: 'deploy', steps: [{ name: 'build', env: { CI: '1' } }, { name: 'push', env: null }, { name: 'notify', env: { CHANNEL: '#ops', URGENT: false } }] } }, S);
c('doc_strict_workflow_missing_field',
  '# {{workflow.name}}\n{{#each workflow.steps}}\n- {{name}} ({{timeout}}s)\n{{/each}}\n',
  { workflow: { name: 'deploy', steps: [{ name: 'build', timeout: 30 }, { name: 'push' }] } }, S);
c('doc_checklist_with_lookup',
  '## Checklist\n{{#each order}}\n- [{{#if (lookup ../done this)}}x{{else}} {{/if}}] {{lookup ../labels this}}\n{{/each}}\n',
  { order: ['keys', 'backup', 'rotate'], done: { keys: true, rotate: true }, labels: { keys: 'Generate keys', backup: 'Back up store', rotate: 'Rotate <old> secrets' } });
c('doc_email_like',
  'Hi {{#if user.firstName}}{{user.firstName}}{{else if user.login}}@{{user.login}}{{else}}there{{/if}},\n\n{{#if alerts}}\nYou have {{alerts.length}} alert(s):\n{{#each alerts}}\n  {{@index}}) [{{level}}] {{message}}\n{{/each}}\n{{else}}\nNo alerts. 🎉\n{{/if}}\n\n-- {{~ signature ~}}\n',
  { user: { login: 'ann' }, alerts: [{ level: 'warn', message: 'Key expires in 3 days' }, { level: 'crit', message: 'Sync failed: 0.1+0.2 != 0.3' }], signature: ' Loopseal ' });

module.exports = cases;
