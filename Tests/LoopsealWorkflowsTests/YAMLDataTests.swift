import LoopsealTemplates
import LoopsealValue
import LoopsealWorkflows
import Testing

struct YAMLDataTests {
    @Test func yamlScalarsResolveLikeYAML12() throws {
        let value = try TemplateValue(yamlText: "s: 'true'\nb: true\nn: 12\nf: 1.5\nz: null\nw: word\nlist: [1, two]\n")
        let engine = TemplateEngine()
        #expect(try engine.render("{{#if s}}S{{/if}}{{#if b}}B{{/if}}{{n}}|{{f}}|{{z}}|{{w}}|{{list}}", context: value) == "SB12|1.5||word|1,two")
        #expect(try TemplateValue(yamlText: "").javaScriptString == "null")
    }
}
