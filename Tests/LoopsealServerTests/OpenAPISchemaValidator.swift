import Foundation
import LoopsealValue

/// Validates JSON against the schemas of an OpenAPI 3.1 document (JSON Schema 2020-12), for the
/// keywords `docs/openapi.json` uses and no more: a keyword it does not know is reported as an
/// error, so the document cannot outgrow the check silently. `$ref`s resolve inside the document.
struct OpenAPISchemaValidator: Sendable {
    /// The whole document, for `$ref`.
    let document: TemplateValue

    /// Keywords that describe without constraining.
    private static let annotations: Set<String> = ["description", "title", "example", "examples", "deprecated", "$comment"]

    /// The keywords ``errors(_:_:at:)`` checks.
    static let constraints: Set<String> = ["$ref", "type", "const", "enum", "properties", "required", "additionalProperties",
                                           "items", "allOf", "anyOf", "oneOf", "pattern", "minLength", "maxLength", "format"]

    /// The keywords of `schema` and of every schema inside it that this validator does not know.
    func unknownKeywords(_ schema: TemplateValue, at path: String) -> [String] {
        guard case .object(let object) = schema else { return [] }
        var found: [String] = []
        for (keyword, argument) in zip(object.keys, object.values) {
            switch keyword {
            case "properties":
                if case .object(let properties) = argument {
                    for (name, member) in zip(properties.keys, properties.values) { found += unknownKeywords(member, at: "\(path)/properties/\(name)") }
                }
            case "items", "additionalProperties":
                found += unknownKeywords(argument, at: "\(path)/\(keyword)")
            case "allOf", "anyOf", "oneOf":
                if case .array(let list) = argument {
                    for (index, member) in list.items.enumerated() { found += unknownKeywords(member, at: "\(path)/\(keyword)/\(index)") }
                }
            case _ where Self.constraints.contains(keyword) || Self.annotations.contains(keyword):
                continue
            default:
                found.append("\(path)/\(keyword)")
            }
        }
        return found
    }

    /// Every way `value` breaks `schema`, each as `path: problem`; empty when it conforms.
    func errors(_ value: TemplateValue, _ schema: TemplateValue, at path: String = "$") -> [String] {
        switch schema {
        case .bool(true): return []
        case .bool(false): return ["\(path): no value is allowed here"]
        case .object(let keywords): return errors(value, keywords, at: path)
        default: return ["\(path): the schema is not an object or a boolean"]
        }
    }

    private func errors(_ value: TemplateValue, _ schema: TemplateObject, at path: String) -> [String] {
        var found: [String] = []
        for (keyword, argument) in zip(schema.keys, schema.values) {
            switch keyword {
            case _ where Self.annotations.contains(keyword):
                continue
            case "$ref":
                guard case .string(let reference) = argument, let target = resolve(reference) else {
                    found.append("\(path): cannot resolve $ref \(argument.jsonText())")
                    continue
                }
                found += errors(value, target, at: path)
            case "type":
                let names: [String]
                switch argument {
                case .string(let name): names = [name]
                case .array(let list): names = list.items.compactMap { if case .string(let name) = $0 { name } else { nil } }
                default: names = []
                }
                if !names.contains(where: { Self.has(value, type: $0) }) {
                    found.append("\(path): \(Self.kind(value)) is not \(names.joined(separator: " or "))")
                }
            case "const":
                if !Self.equal(value, argument) { found.append("\(path): \(value.jsonText()) is not \(argument.jsonText())") }
            case "enum":
                guard case .array(let choices) = argument else { found.append("\(path): enum is not a list"); continue }
                if !choices.items.contains(where: { Self.equal(value, $0) }) {
                    found.append("\(path): \(value.jsonText()) is not one of \(argument.jsonText())")
                }
            case "properties":
                guard case .object(let object) = value, case .object(let properties) = argument else { continue }
                for (name, subschema) in zip(properties.keys, properties.values) {
                    if let member = object[name] { found += errors(member, subschema, at: "\(path).\(name)") }
                }
            case "required":
                guard case .object(let object) = value, case .array(let names) = argument else { continue }
                for case .string(let name) in names.items where object[name] == nil {
                    found.append("\(path): required property '\(name)' is missing")
                }
            case "additionalProperties":
                guard case .object(let object) = value else { continue }
                let declared: Set<String>
                if case .object(let properties)? = schema["properties"] { declared = Set(properties.keys) } else { declared = [] }
                for (name, member) in zip(object.keys, object.values) where !declared.contains(name) {
                    found += errors(member, argument, at: "\(path).\(name)").map { $0 + " (an additional property)" }
                }
            case "items":
                guard case .array(let list) = value else { continue }
                for (index, item) in list.items.enumerated() { found += errors(item, argument, at: "\(path)[\(index)]") }
            case "allOf", "anyOf", "oneOf":
                guard case .array(let subschemas) = argument else { found.append("\(path): \(keyword) is not a list"); continue }
                let results = subschemas.items.map { errors(value, $0, at: path) }
                let passing = results.filter(\.isEmpty).count
                switch keyword {
                case "allOf": found += results.flatMap { $0 }
                case "anyOf" where passing == 0:
                    found.append("\(path): matches none of anyOf: \(results.flatMap { $0 }.joined(separator: "; "))")
                case "oneOf" where passing != 1:
                    found.append("\(path): matches \(passing) of oneOf, not exactly one: \(results.flatMap { $0 }.joined(separator: "; "))")
                default: break
                }
            case "pattern":
                guard case .string(let text) = value else { continue }
                guard case .string(let pattern) = argument, let regex = try? NSRegularExpression(pattern: pattern) else {
                    found.append("\(path): pattern \(argument.jsonText()) does not compile")
                    continue
                }
                if regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil {
                    found.append("\(path): \(value.jsonText()) does not match \(pattern)")
                }
            case "minLength", "maxLength":
                guard case .string(let text) = value, case .number(let limit) = argument else { continue }
                let length = Double(text.unicodeScalars.count)
                if keyword == "minLength" ? length < limit : length > limit {
                    found.append("\(path): \(length) characters breaks \(keyword) \(limit)")
                }
            case "format":
                guard case .string(let text) = value, case .string(let format) = argument else { continue }
                guard format == "date-time" else { found.append("\(path): the validator does not know format '\(format)'"); continue }
                if text.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#, options: .regularExpression) == nil {
                    found.append("\(path): \(value.jsonText()) is not an RFC 3339 date-time")
                }
            default:
                found.append("\(path): the validator does not know keyword '\(keyword)': teach it, or do not use it")
            }
        }
        return found
    }

    /// The value at a local JSON pointer (`#/components/schemas/Run`).
    func resolve(_ reference: String) -> TemplateValue? {
        guard reference.hasPrefix("#/") else { return reference == "#" ? document : nil }
        var current = document
        for token in reference.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
            let name = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard case .object(let object) = current, let next = object[name] else { return nil }
            current = next
        }
        return current
    }

    /// Follows `$ref` until the value is not a reference (parameters, responses, request bodies).
    func dereferenced(_ value: TemplateValue) -> TemplateValue {
        var current = value
        for _ in 0..<16 {
            guard case .string(let reference)? = current.property("$ref"), let target = resolve(reference) else { return current }
            current = target
        }
        return current
    }

    static func has(_ value: TemplateValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array), ("object", .object):
            return true
        case ("integer", .number(let number)):
            return number.rounded() == number
        default:
            return false
        }
    }

    static func kind(_ value: TemplateValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// JSON equality: same type and value, arrays in order, objects by key.
    static func equal(_ lhs: TemplateValue, _ rhs: TemplateValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)):
            return a.items.count == b.items.count && zip(a.items, b.items).allSatisfy { equal($0, $1) }
        case (.object(let a), .object(let b)):
            return Set(a.keys) == Set(b.keys) && a.keys.allSatisfy { key in b[key].map { equal(a[key] ?? .null, $0) } ?? false }
        default: return false
        }
    }
}
