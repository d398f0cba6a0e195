import LoopsealValue

/// Where rendering is: the context, the `../` chain, the `@data` frame, block parameters and
/// the inline partials in force.
struct Scope: Sendable {
    var context: TemplateValue?
    var depths: DepthNode
    var data: DataFrame
    var blockParams: BlockParamFrame?
    var template: TemplateInfo
    var partials: InlinePartials?
}

/// The `{{#*inline}}` partials of the programs running, innermost first (handlebars' partials stack).
final class InlinePartials: Sendable {
    /// An inline partial found by name, with what it runs in.
    struct Found {
        let program: CompiledProgram
        /// The template that defines it: it reports errors as that template.
        let template: TemplateInfo
        /// The `../` chain where it is defined, outside the defining program (nil: none), which
        /// handlebars closes over; the context it is called with goes on top.
        let depths: DepthNode?
    }

    let programs: [String: CompiledProgram]
    let template: TemplateInfo
    let depths: DepthNode?
    let parent: InlinePartials?
    init(_ programs: [String: CompiledProgram], template: TemplateInfo, depths: DepthNode?, parent: InlinePartials?) {
        self.programs = programs
        self.template = template
        self.depths = depths
        self.parent = parent
    }

    func lookup(_ name: String) -> Found? {
        var frame: InlinePartials? = self
        while let current = frame {
            if let program = current.programs.value(exactly: name) {
                return Found(program: program, template: current.template, depths: current.depths)
            }
            frame = current.parent
        }
        return nil
    }
}

/// The block of a `{{#> partial}}…{{/partial}}` call: what `{{> @partial-block}}` renders, in the
/// scope of the call (its `../`, block parameters and partials), with the partial block that was
/// in force there as its own `@partial-block`.
final class PartialBlock: Sendable {
    let program: CompiledProgram
    let scope: Scope
    init(program: CompiledProgram, scope: Scope) {
        self.program = program
        self.scope = scope
    }
}

/// Linked list of contexts; the head is the current one (handlebars' `depths`).
final class DepthNode: Sendable {
    let value: TemplateValue?
    let parent: DepthNode?
    init(_ value: TemplateValue?, parent: DepthNode?) { self.value = value; self.parent = parent }

    func at(_ depth: Int) -> TemplateValue?? {
        var node: DepthNode? = self
        for _ in 0..<depth { node = node?.parent }
        return node.map { $0.value }
    }
}

/// A `@data` frame: `@index`, `@key`, `@first`, `@last`, `@root`, other `@` names a helper
/// set, and `@../` to the parent frame.
final class DataFrame: Sendable {
    let iteration: Iteration?
    let values: [String: TemplateValue]
    let root: TemplateValue?
    let parent: DataFrame?
    /// `@partial-block`: set by a partial block call for the partial it renders.
    let partialBlock: PartialBlock?

    /// What `each` sets for every item, kept in fields rather than a dictionary.
    struct Iteration: Sendable {
        var key: TemplateValue
        var index: Int
        var first: Bool
        var last: Bool
    }

    init(iteration: Iteration? = nil, values: [String: TemplateValue] = [:], root: TemplateValue?, parent: DataFrame?,
         partialBlock: PartialBlock? = nil) {
        self.iteration = iteration
        self.values = values
        self.root = root
        self.parent = parent
        self.partialBlock = partialBlock
    }

    /// handlebars' `createFrame`: a child frame starts with a copy of its parent's fields.
    static func child(of parent: DataFrame, iteration: Iteration?, values: [String: TemplateValue]?) -> DataFrame {
        var merged = parent.values
        if let values { merged.merge(values) { _, new in new } }
        return DataFrame(iteration: iteration ?? parent.iteration, values: merged, root: parent.root, parent: parent,
                         partialBlock: parent.partialBlock)
    }

    /// A child frame whose `@partial-block` is `partialBlock`.
    static func child(of parent: DataFrame, partialBlock: PartialBlock?) -> DataFrame {
        DataFrame(iteration: parent.iteration, values: parent.values, root: parent.root, parent: parent, partialBlock: partialBlock)
    }

    func property(_ name: String) -> TemplateValue?? {
        if !values.isEmpty, let value = values[name] { return .some(value) }
        if let iteration {
            switch name {
            case "key": return .some(iteration.key)
            case "index": return .some(.number(Double(iteration.index)))
            case "first": return .some(.bool(iteration.first))
            case "last": return .some(.bool(iteration.last))
            default: break
            }
        }
        if name == "root" { return .some(root) }
        return nil
    }
}

/// Values of `as |a b|` for one block, linked to the enclosing ones.
final class BlockParamFrame: Sendable {
    let names: [String]
    let values: [TemplateValue?]
    let parent: BlockParamFrame?
    init(names: [String], values: [TemplateValue?], parent: BlockParamFrame?) {
        self.names = names
        self.values = values
        self.parent = parent
    }

    func value(_ name: String) -> TemplateValue? {
        var frame: BlockParamFrame? = self
        while let current = frame {
            if let index = current.names.firstIndex(where: { JSString.same($0, name) }) { return index < current.values.count ? current.values[index] : nil }
            frame = current.parent
        }
        return nil
    }
}

/// Facts about the template being rendered that change how it runs.
final class TemplateInfo: Sendable {
    let name: String
    /// The template reads `../`: only then do its blocks keep the chain of contexts.
    let usesDepths: Bool
    init(name: String, usesDepths: Bool) {
        self.name = name
        self.usesDepths = usesDepths
    }
}
