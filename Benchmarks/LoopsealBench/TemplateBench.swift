import Foundation
import LoopsealTemplates
import LoopsealValue

/// Times compiling and rendering one template with LoopsealTemplates; with OUTPUT, also writes
/// the rendered text there so a script can compare it with handlebars.js's byte for byte.
enum TemplateBench {
    static func run(_ arguments: [String]) throws {
        guard arguments.count == 4 || arguments.count == 5, let renders = Int(arguments[3]) else {
            throw BenchError("usage: loopseal-bench templates TEMPLATE DATA.json PARTIALS_DIR RENDERS [OUTPUT]")
        }
        let source = try String(contentsOfFile: arguments[0], encoding: .utf8)
        let data = try TemplateValue(jsonText: String(contentsOfFile: arguments[1], encoding: .utf8))
        let engine = TemplateEngine(partials: .directory(arguments[2]))
        let compiles = 200
        var template = try engine.compile(source, name: arguments[0])
        let compileTime = try seconds { for _ in 0..<compiles { template = try engine.compile(source, name: arguments[0]) } } / Double(compiles)
        var output = ""
        for _ in 0..<max(3, renders / 10) { output = try engine.render(template, context: data) }
        let renderTime = try seconds { for _ in 0..<renders { output = try engine.render(template, context: data) } } / Double(renders)
        if arguments.count == 5 { try output.write(toFile: arguments[4], atomically: false, encoding: .utf8) }
        print(#"{"compile_us": \#(compileTime * 1e6), "render_us": \#(renderTime * 1e6), "bytes": \#(output.utf8.count)}"#)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
