import LoopsealDiagnostics
import LoopsealStore

/// A change to a secret's metadata as a person asked for it (`set`/`meta` flags): each field
/// is kept (nil), cleared (an empty text, or `--no-expires`) or set. ``parse(owner:expires:noExpires:rotateEvery:description:config:)``
/// checks every value before anything is written; errors name the flag and what to write.
public struct MetadataEdit: Sendable, Equatable {
    /// A field's change.
    public enum Change<Value: Sendable & Equatable>: Sendable, Equatable {
        /// Remove the field.
        case clear
        /// Give the field this value.
        case set(Value)
    }

    /// The owner's change, or nil to keep it.
    public var owner: Change<String>?
    /// The expiry date's change, or nil to keep it.
    public var expires: Change<CalendarDate>?
    /// The rotation period's change, or nil to keep it.
    public var rotateEvery: Change<RotationPeriod>?
    /// The description's change, or nil to keep it.
    public var description: Change<String>?

    /// An edit of the given fields.
    public init(owner: Change<String>? = nil, expires: Change<CalendarDate>? = nil,
                rotateEvery: Change<RotationPeriod>? = nil, description: Change<String>? = nil) {
        self.owner = owner
        self.expires = expires
        self.rotateEvery = rotateEvery
        self.description = description
    }

    /// True when no field changes.
    public var isEmpty: Bool { self == MetadataEdit() }

    /// Checks the flags' texts: `owner` a name `config` lists as a recipient or writer, or an
    /// email; `expires` a date `YYYY-MM-DD`; `rotateEvery` a ``RotationPeriod``; `description`
    /// one printable line. An empty text clears its field; `noExpires` clears the date.
    public static func parse(owner: String?, expires: String?, noExpires: Bool, rotateEvery: String?, description: String?,
                             config: WorkspaceConfig) throws -> MetadataEdit {
        var edit = MetadataEdit()
        if let owner {
            edit.owner = owner.isEmpty ? .clear : .set(try checkOwner(owner, config: config))
        }
        if noExpires && expires != nil {
            throw StoreError.invalidMetadata(field: "--expires", problem: "give either --expires DATE or --no-expires, not both")
        }
        if noExpires { edit.expires = .clear }
        if let expires {
            guard let date = CalendarDate(string: expires) else {
                throw StoreError.invalidMetadata(field: "--expires", problem: "'\(display(expires))' is not a date: use YYYY-MM-DD, like 2027-03-01 (--no-expires removes it)")
            }
            edit.expires = .set(date)
        }
        if let rotateEvery {
            guard rotateEvery.isEmpty || RotationPeriod(string: rotateEvery) != nil else {
                throw StoreError.invalidMetadata(field: "--rotate-every", problem: "'\(display(rotateEvery))' is not a period: use \(RotationPeriod.grammar) ('' removes it)")
            }
            edit.rotateEvery = RotationPeriod(string: rotateEvery).map { .set($0) } ?? .clear
        }
        if let description {
            let trimmed = description.trimmingSpaces
            guard trimmed.isEmpty || SecretMetadata.isValidDescription(trimmed) else {
                throw StoreError.invalidMetadata(field: "--description", problem: "use one line of at most \(SecretMetadata.descriptionLimit) printable characters, without tabs or control characters ('' removes it)")
            }
            edit.description = trimmed.isEmpty ? .clear : .set(trimmed)
        }
        return edit
    }

    /// `metadata` with this edit applied (`rotated` is never edited by hand).
    public func applied(to metadata: SecretMetadata) -> SecretMetadata {
        var result = metadata
        if let owner { result.owner = owner.value }
        if let expires { result.expires = expires.value }
        if let rotateEvery { result.rotateEvery = rotateEvery.value }
        if let description { result.description = description.value }
        return result
    }

    private static func checkOwner(_ owner: String, config: WorkspaceConfig) throws -> String {
        let names = config.recipients.map(\.name) + config.writers.map(\.name)
        guard SecretMetadata.isValidOwner(owner) else {
            throw StoreError.invalidMetadata(field: "--owner", problem: "'\(display(owner))' is not an owner: use \(SecretMetadata.ownerForm)")
        }
        guard owner.contains("@") || names.contains(owner) else {
            let listed = names.isEmpty ? "none" : Array(Set(names)).sorted().joined(separator: ", ")
            throw StoreError.invalidMetadata(field: "--owner", problem: "'\(owner)' is not a recipient or writer of workspace '\(config.workspace)' (listed: \(listed)): give one of those names or an email")
        }
        return owner
    }

    /// Untrusted text shown back, bounded and without control characters.
    private static func display(_ text: String) -> String { UntrustedText.display(text) }
}

extension MetadataEdit.Change {
    /// The new value, nil when cleared.
    var value: Value? {
        if case .set(let value) = self { return value }
        return nil
    }
}

extension String {
    /// Without spaces at either end.
    fileprivate var trimmingSpaces: String {
        var scalars = Substring(self).unicodeScalars
        while scalars.first == " " { scalars.removeFirst() }
        while scalars.last == " " { scalars.removeLast() }
        return String(scalars)
    }
}
