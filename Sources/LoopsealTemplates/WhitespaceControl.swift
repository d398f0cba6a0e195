import LoopsealValue
/// handlebars.js' whitespace rules (compiler/whitespace-control.js), ported statement for
/// statement: `~` stripping, and removal of lines that hold only a block tag, `{{else}}`, a
/// comment or a partial ("standalone" lines), with the indentation kept for partials.
struct WhitespaceControl {
    private struct Strip {
        var open = false
        var close = false
        var openStandalone = false
        var closeStandalone = false
        var inlineStandalone = false
    }

    func apply(root: ProgramNode) {
        program(root, isRoot: true)
    }

    private func program(_ program: ProgramNode, isRoot: Bool) {
        let body = program.body
        for i in body.indices {
            guard let strip = accept(body[i]) else { continue }
            let prevWhitespace = Self.isPrevWhitespace(body, i, isRoot: isRoot)
            let nextWhitespace = Self.isNextWhitespace(body, i, isRoot: isRoot)
            let openStandalone = strip.openStandalone && prevWhitespace
            let closeStandalone = strip.closeStandalone && nextWhitespace
            let inlineStandalone = strip.inlineStandalone && prevWhitespace && nextWhitespace

            if strip.close { Self.omitRight(body, i, multiple: true) }
            if strip.open { Self.omitLeft(body, i, multiple: true) }

            if inlineStandalone {
                Self.omitRight(body, i)
                if Self.omitLeft(body, i), case .partial(let partial) = body[i], i > 0, let previous = body[i - 1].content {
                    partial.indent = Self.trailingIndent(previous.original)
                }
            }
            if openStandalone, case .block(let block) = body[i] {
                Self.omitRight((block.program ?? block.inverse)?.body ?? [], nil)
                Self.omitLeft(body, i)
            }
            if closeStandalone, case .block(let block) = body[i] {
                Self.omitRight(body, i)
                Self.omitLeft((block.inverse ?? block.program)?.body ?? [], nil)
            }
        }
    }

    private func accept(_ statement: StatementNode) -> Strip? {
        switch statement {
        case .content: return nil
        case .mustache(_, _, let strip): return Strip(open: strip.open, close: strip.close)
        case .partial(let partial): return Strip(open: partial.strip.open, close: partial.strip.close, inlineStandalone: true)
        case .comment(let strip): return Strip(open: strip.open, close: strip.close, inlineStandalone: true)
        case .block(let block): return self.block(block)
        }
    }

    private func block(_ block: BlockNode) -> Strip {
        if let p = block.program { program(p, isRoot: false) }
        if let p = block.inverse { program(p, isRoot: false) }
        guard let main = block.program ?? block.inverse else { return Strip() }
        let inverse = block.program != nil ? block.inverse : nil
        var firstInverse = inverse
        var lastInverse = inverse
        if let chained = inverse, chained.chained {
            if case .block(let first)? = chained.body.first { firstInverse = first.program }
            while let current = lastInverse, current.chained, case .block(let last)? = current.body.last {
                lastInverse = last.program
            }
        }
        let strip = Strip(
            open: block.openStrip.open,
            close: block.closeStrip?.close ?? false,
            openStandalone: Self.isNextWhitespace(main.body, nil, isRoot: false),
            closeStandalone: Self.isPrevWhitespace((firstInverse ?? main).body, nil, isRoot: false))
        if block.openStrip.close { Self.omitRight(main.body, nil, multiple: true) }
        if let inverse {
            let inverseStrip = block.inverseStrip ?? StripFlags()
            if inverseStrip.open { Self.omitLeft(main.body, nil, multiple: true) }
            if inverseStrip.close, let first = firstInverse { Self.omitRight(first.body, nil, multiple: true) }
            if block.closeStrip?.open == true, let last = lastInverse { Self.omitLeft(last.body, nil, multiple: true) }
            if Self.isPrevWhitespace(main.body, nil, isRoot: false), let first = firstInverse,
               Self.isNextWhitespace(first.body, nil, isRoot: false) {
                Self.omitLeft(main.body, nil)
                Self.omitRight(first.body, nil)
            }
        } else if block.closeStrip?.open == true {
            Self.omitLeft(main.body, nil, multiple: true)
        }
        return strip
    }

    // MARK: handlebars' helpers

    /// `isPrevWhitespace`: the statement before `i` (or the last one) ends a line.
    private static func isPrevWhitespace(_ body: [StatementNode], _ i: Int?, isRoot: Bool) -> Bool {
        let index = i ?? body.count
        guard index - 1 >= 0 else { return isRoot }
        guard let prev = body[index - 1].content else { return false }
        let hasSibling = index - 2 >= 0
        return endsWithNewlineAndSpaces(prev.original, allowStart: !(hasSibling || !isRoot))
    }

    /// `isNextWhitespace`: the statement after `i` (or the first one) starts with a line end.
    private static func isNextWhitespace(_ body: [StatementNode], _ i: Int?, isRoot: Bool) -> Bool {
        let index = i ?? -1
        guard index + 1 < body.count else { return isRoot }
        guard let next = body[index + 1].content else { return false }
        let hasSibling = index + 2 < body.count
        return startsWithSpacesAndNewline(next.original, allowEnd: !(hasSibling || !isRoot))
    }

    /// `/\r?\n\s*?$/`, or with `allowStart` `/(^|\r?\n)\s*?$/`.
    private static func endsWithNewlineAndSpaces(_ text: String, allowStart: Bool) -> Bool {
        let scalars = Array(text.unicodeScalars)
        var i = scalars.count
        while i > 0 && isJSWhitespace(scalars[i - 1]) {
            if scalars[i - 1] == "\n" { return true }
            i -= 1
        }
        return allowStart && i == 0
    }

    /// `/^\s*?\r?\n/`, or with `allowEnd` `/^\s*?(\r?\n|$)/`.
    private static func startsWithSpacesAndNewline(_ text: String, allowEnd: Bool) -> Bool {
        for scalar in text.unicodeScalars {
            if scalar == "\n" { return true }
            if !isJSWhitespace(scalar) { return false }
        }
        return allowEnd
    }

    /// `omitRight`: strips the start of the content after `i` (or the first statement).
    private static func omitRight(_ body: [StatementNode], _ i: Int?, multiple: Bool = false) {
        let index = i.map { $0 + 1 } ?? 0
        guard index < body.count, let current = body[index].content else { return }
        if !multiple && current.rightStripped { return }
        let original = current.value
        current.value = multiple ? dropLeadingWhitespace(original) : dropLeadingLineBreak(original)
        current.rightStripped = current.value != original
    }

    /// `omitLeft`: strips the end of the content before `i` (or the last statement).
    @discardableResult
    private static func omitLeft(_ body: [StatementNode], _ i: Int?, multiple: Bool = false) -> Bool {
        let index = i.map { $0 - 1 } ?? body.count - 1
        guard index >= 0, index < body.count, let current = body[index].content else { return false }
        if !multiple && current.leftStripped { return false }
        let original = current.value
        current.value = multiple ? dropTrailingWhitespace(original) : dropTrailingSpacesAndTabs(original)
        current.leftStripped = current.value != original
        return current.leftStripped
    }

    /// `/^\s+/`
    private static func dropLeadingWhitespace(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.drop(while: isJSWhitespace)))
    }

    /// `/\s+$/`
    private static func dropTrailingWhitespace(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        while let last = scalars.last, isJSWhitespace(last) { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    /// `/[ \t]+$/`
    private static func dropTrailingSpacesAndTabs(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    /// `/^[ \t]*\r?\n?/`
    private static func dropLeadingLineBreak(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count && (scalars[i] == " " || scalars[i] == "\t") { i += 1 }
        if i < scalars.count && scalars[i] == "\r" { i += 1 }
        if i < scalars.count && scalars[i] == "\n" { i += 1 }
        return String(String.UnicodeScalarView(scalars[i...]))
    }

    /// `/([ \t]+$)/`
    private static func trailingIndent(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var i = scalars.count
        while i > 0 && (scalars[i - 1] == " " || scalars[i - 1] == "\t") { i -= 1 }
        return String(String.UnicodeScalarView(scalars[i...]))
    }

    /// JavaScript's `\s`.
    static func isJSWhitespace(_ scalar: Unicode.Scalar) -> Bool { JSWhitespace.contains(scalar) }
}
