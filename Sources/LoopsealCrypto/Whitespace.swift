extension StringProtocol {
    /// The text without leading and trailing white space (Unicode `White_Space`, line breaks
    /// included), in the standard library: Foundation's `trimmingCharacters(in:)` bridges
    /// through NSString, which cost a start-up as much as decrypting, and copies key text more.
    package func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
              let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
