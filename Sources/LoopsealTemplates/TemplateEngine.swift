import Foundation
import LoopsealValue

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A compiled template: immutable, renders any number of times from any thread.
public struct Template: Sendable {
    /// The name errors use (usually the file name).
    public var name: String { info.name }
    let program: CompiledProgram
    let info: TemplateInfo
    var usesDepths: Bool { info.usesDepths }
}

/// Where `{{> name}}` finds partials.
public enum PartialSource: Sendable {
    /// No partials: every `{{> name}}` is an error when rendered.
    case none
    /// Files in a directory: `name`, `name.md`, `name.hbs`, `name.handlebars`, first found.
    case directory(String)
    /// Partial sources by name.
    case templates([String: String])
}

/// Compiles and renders Handlebars templates with handlebars.js 4.7's output.
///
/// An engine holds the helpers, the partial source and the strict flag; it is `Sendable`
/// and caches compiled partials.
public final class TemplateEngine: Sendable {
    /// True when a missing path is an error instead of empty output.
    public let strict: Bool
    private let partials: PartialSource
    private let helpers: [String: Helper]
    /// Built-in helpers no custom helper replaces: templates may run them inline.
    private let builtins: Set<String>
    private let cache = PartialCache()

    /// The most blocks and `each` iterations one render may run before it fails.
    let maxRenderSteps: Int
    /// The default ``maxRenderSteps``: 200 times a 100,000-item report, a few seconds of work.
    static let defaultMaxRenderSteps = 20_000_000
    /// The most bytes one render may produce.
    let maxOutputBytes: Int
    /// The default ``maxOutputBytes``: 256 MiB, about 90 times the 100,000-item report.
    static let defaultMaxOutputBytes = 256 << 20

    /// Creates an engine. `helpers` are added to (and may replace) the built-in ones.
    public convenience init(partials: PartialSource = .none, strict: Bool = false, helpers: [String: Helper] = [:]) {
        self.init(partials: partials, strict: strict, helpers: helpers, maxRenderSteps: Self.defaultMaxRenderSteps,
                  maxOutputBytes: Self.defaultMaxOutputBytes)
    }

    init(partials: PartialSource, strict: Bool, helpers: [String: Helper], maxRenderSteps: Int, maxOutputBytes: Int) {
        self.maxRenderSteps = maxRenderSteps
        self.maxOutputBytes = maxOutputBytes
        self.partials = partials
        self.strict = strict
        self.helpers = BuiltinHelpers.all.merging(helpers) { _, custom in custom }
        builtins = Set(BuiltinHelpers.all.keys).subtracting(helpers.keys)
    }

    /// Parses and compiles `source`; errors name `name`, line and column. The engine's helpers
    /// are bound now: the template calls them whichever engine renders it.
    public func compile(_ source: String, name: String = "template") throws(TemplateError) -> Template {
        var parser = Parser(source: source, name: name)
        let tree = try parser.parse()
        let compiler = Compiler(helpers: helpers, builtins: builtins)
        let program = compiler.compile(tree)
        return Template(program: program, info: TemplateInfo(name: name, usesDepths: compiler.usesDepths))
    }

    /// Renders `template` with `context` as its root.
    public func render(_ template: Template, context: TemplateValue) throws(TemplateError) -> String {
        do {
            return try Renderer(engine: self).render(template, context: context)
        } catch let error as TemplateError {
            throw error
        } catch {
            throw TemplateError(kind: .render, template: template.name, line: 1, column: 1, message: "\(error)")
        }
    }

    /// Compiles and renders in one step.
    public func render(_ source: String, name: String = "template", context: TemplateValue) throws(TemplateError) -> String {
        try render(try compile(source, name: name), context: context)
    }

    /// The compiled partial `name`, or nil when there is none.
    func partial(named name: String) throws -> Template? {
        if let cached = cache.get(name) { return cached }
        let source: String?
        switch partials {
        case .none: source = nil
        case .templates(let table): source = table.value(exactly: name)
        case .directory(let directory):
            source = Self.readPartial(name, in: directory)
        }
        guard let source else { return nil }
        let template = try compile(source, name: name)
        cache.set(name, template)
        return template
    }

    /// The most a partial file may hold.
    static let maxPartialBytes = 1 << 20

    /// A partial file's text, or nil when there is none. The file must resolve (symbolic links
    /// included) inside `directory`, be a regular file and hold at most ``maxPartialBytes``: a
    /// link in the templates folder to a private key, `/dev/zero` or a FIFO is never read.
    private static func readPartial(_ name: String, in directory: String) -> String? {
        guard !name.isEmpty, !name.hasPrefix("/"), !name.split(separator: "/").contains("..") else { return nil }
        guard let root = realPath(directory) else { return nil }
        for suffix in ["", ".md", ".hbs", ".handlebars"] {
            guard let resolved = realPath("\(directory)/\(name)\(suffix)"),
                  resolved.hasPrefix(root == "/" ? "/" : root + "/"),
                  let bytes = readRegularFile(resolved) else { continue }
            return String(decoding: bytes, as: UTF8.self)
        }
        return nil
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The bytes of a regular file of at most ``maxPartialBytes`` (opened without waiting on a FIFO).
    private static func readRegularFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) <= maxPartialBytes else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress.map { $0 + filled }, $0.count - filled) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            filled += n
        }
        return Array(bytes[0..<filled])
    }
}

/// Compiled partials shared by every render of an engine, by name byte for byte (``JSKey``): two
/// canonically equivalent names are two files.
private final class PartialCache: @unchecked Sendable {
    private let lock = NSLock()
    private var templates: [JSKey: Template] = [:]

    func get(_ name: String) -> Template? {
        lock.lock()
        defer { lock.unlock() }
        return templates[JSKey(name)]
    }

    func set(_ name: String, _ template: Template) {
        lock.lock()
        defer { lock.unlock() }
        templates[JSKey(name)] = template
    }
}
