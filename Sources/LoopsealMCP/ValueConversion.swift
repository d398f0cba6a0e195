import Foundation
import LoopsealTemplates
import MCP
import LoopsealValue

extension Value {
    /// `value` as MCP JSON: whole numbers become integers, objects lose their key order.
    init(_ value: TemplateValue) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .number(let number):
            if number.rounded() == number, abs(number) < 9_007_199_254_740_992 { self = .int(Int(number)) } else { self = .double(number) }
        case .string(let text): self = .string(text)
        case .array(let array): self = .array(array.items.map(Value.init))
        case .object(let object): self = .object(Dictionary(zip(object.keys, object.values.map(Value.init)), uniquingKeysWith: { _, last in last }))
        }
    }

    /// Compact JSON text with sorted keys: the text content of a tool result.
    var jsonText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }
}

extension TemplateValue {
    /// A tool argument as workflow data. Data URLs (which the SDK decodes as binary) stay text.
    init(_ value: Value) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .number(Double(number))
        case .double(let number): self = .number(number)
        case .string(let text): self = .string(text)
        case .data(let mimeType, let data): self = .string(data.dataURLEncoded(mimeType: mimeType))
        case .array(let items): self = .list(items.map(TemplateValue.init))
        case .object(let object): self = .dictionary(object.keys.sorted().map { ($0, TemplateValue(object[$0] ?? .null)) })
        }
    }
}
