import ArgumentParser
import Foundation
import LoopsealStore
import LoopsealTemplates
import Yams
import LoopsealValue

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a Handlebars template with JSON or YAML data, exactly as handlebars.js 4.7 would.",
        discussion: "Prints only the rendered text: no newline is added.")

    @Argument(help: "The template file.") var template: String
    @Option(help: "Data file: .json, .yaml or .yml (default: an empty object).") var data: String?
    @Option(help: "Directory for {{> name}} partials (default: the template's directory).") var partials: String?
    @Flag(help: "Fail on a missing path instead of printing nothing.") var strict = false

    func run() throws {
        let source = String(decoding: try FileIO.contents(template), as: UTF8.self)
        let context = try data.map(Self.loadData) ?? .dictionary([])
        let directory = partials ?? FileIO.parentDirectory(template)
        let engine = TemplateEngine(partials: .directory(directory.isEmpty ? "." : directory), strict: strict)
        Terminal.print(try engine.render(source, name: template, context: context))
    }

    static func loadData(_ path: String) throws -> TemplateValue {
        let text = String(decoding: try FileIO.contents(path), as: UTF8.self)
        if path.hasSuffix(".yaml") || path.hasSuffix(".yml") {
            do {
                return try TemplateValue(yamlText: text)
            } catch let error as YamlError {
                throw CLIError("\(path): invalid YAML: \(error)")
            }
        }
        do {
            return try TemplateValue(jsonText: text)
        } catch {
            throw TemplateError(kind: .data, template: path, line: error.line, column: error.column, message: error.message)
        }
    }
}
