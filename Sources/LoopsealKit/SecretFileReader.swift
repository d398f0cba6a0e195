import LoopsealCrypto
import LoopsealStore
import LoopsealSync
import LoopsealValue
import LoopsealWorkflows

/// Reads a file of secrets for `loopseal import`: every name is checked and every value read
/// before anything is written, and a problem refuses the whole file.
///
/// dotenv goes through `DotenvParser` (python-dotenv's reading). JSON and YAML must be one
/// mapping of names to strings: a number, `true`, `null`, a list or a mapping is an error
/// naming its key (YAML's unquoted `8080` or `yes` is not text; quoting makes it text). JSON is
/// read by LoopsealValue's parser, YAML by LoopsealWorkflows' data reader with the hostile-YAML
/// limits; the application layer never sees Yams. A JSON name given twice keeps its last value
/// (as `JSON.parse` and Python's `json` do); YAML refuses it.
public enum SecretFileReader {
    /// The names and values in `bytes`, in file order. `fileName` is only for messages.
    public static func read<Bytes: Collection>(_ bytes: Bytes, format: ImportFormat, fileName: String) throws
        -> [(key: String, value: SecureBytes)] where Bytes.Element == UInt8 {
        switch format {
        case .dotenv:
            return try DotenvParser.parse(bytes, fileName: fileName)
        case .json, .yaml:
            let text = String(decoding: bytes, as: UTF8.self)
            guard text.utf8.elementsEqual(bytes) else { throw SecretImportError.notUTF8(file: fileName) }
            return try mapping(try document(text, format: format, fileName: fileName), format: format, fileName: fileName)
        }
    }

    /// The parsed document; syntax errors carry a position and no text.
    private static func document(_ text: String, format: ImportFormat, fileName: String) throws -> TemplateValue {
        do {
            if format == .json { return try TemplateValue(jsonText: text) }
            return try TemplateValue(yamlText: text, file: fileName)
        } catch let error as JSONSyntaxError {
            throw SecretImportError.syntax(file: fileName, line: error.line, column: error.column, problem: "invalid JSON: \(error.message)")
        } catch let problem as WorkflowProblem {
            throw SecretImportError.syntax(file: fileName, line: problem.line, column: problem.column, problem: problem.message)
        }
    }

    /// The string values of a flat mapping (an empty YAML document is an empty mapping).
    private static func mapping(_ document: TemplateValue, format: ImportFormat, fileName: String) throws -> [(key: String, value: SecureBytes)] {
        let object: TemplateObject
        switch document {
        case .object(let found): object = found
        case .null where format == .yaml: return []
        default: throw SecretImportError.notAMapping(file: fileName, format: format)
        }
        for key in object.keys where !Names.isValidKey(key) {
            throw SecretImportError.invalidName(file: fileName, key: key)
        }
        return try zip(object.keys, object.values).map { key, value in
            guard case .string(let text) = value else {
                throw SecretImportError.notAString(file: fileName, key: key, kind: kind(of: value))
            }
            return (key: key, value: try SecureBytes(copying: text.utf8))
        }
    }

    /// What a non-string value is, in words.
    private static func kind(of value: TemplateValue) -> String {
        switch value {
        case .null: return "null (or empty)"
        case .bool: return "true or false"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "a mapping"
        }
    }
}
