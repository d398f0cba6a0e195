import Foundation
import LoopsealTemplates

/// Times compiling and rendering one template with LoopsealTemplates; prints one JSON line.
/// usage: loopseal-template-bench TEMPLATE DATA.json PARTIALS_DIR RENDERS
let arguments = CommandLine.arguments
guard arguments.count == 5, let renders = Int(arguments[4]) else {
    FileHandle.standardError.write(Data("usage: loopseal-template-bench TEMPLATE DATA.json PARTIALS_DIR RENDERS\n".utf8))
    exit(2)
}
let source = try String(contentsOfFile: arguments[1], encoding: .utf8)
let data = try TemplateValue(jsonText: String(contentsOfFile: arguments[2], encoding: .utf8))
let engine = TemplateEngine(partials: .directory(arguments[3]))

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

let compiles = 200
var template = try engine.compile(source, name: arguments[1])
let compileTime = try seconds { for _ in 0..<compiles { template = try engine.compile(source, name: arguments[1]) } } / Double(compiles)
var output = ""
for _ in 0..<max(3, renders / 10) { output = try engine.render(template, context: data) }  // warm-up, partial cache
let renderTime = try seconds { for _ in 0..<renders { output = try engine.render(template, context: data) } } / Double(renders)
print(#"{"compile_us": \#(compileTime * 1e6), "render_us": \#(renderTime * 1e6), "bytes": \#(output.utf8.count)}"#)
