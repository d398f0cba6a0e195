extension ServerCore {
    /// ``authenticate(bearer:)``, asked once more after the token store's unknown-token handler
    /// ran (``TokenStore/setUnknownTokenHandler(minimumInterval:_:)``: on a replica, a `git pull`)
    /// when the token's id is not known here yet: a token created on another replica works here
    /// before the next regular pull.
    public func authenticateRefreshing(bearer token: String) async throws -> TokenRecord? {
        if let record = try authenticate(bearer: token) { return record }
        guard await tokens.refreshIfUnknown(token: token) else { return nil }
        return try authenticate(bearer: token)
    }

    /// ``token(id:)``, asked once more after the unknown-token handler ran when `id` is unknown.
    public func tokenRefreshing(id: String) async throws -> TokenRecord? {
        if let record = try token(id: id) { return record }
        guard await tokens.refreshIfUnknown(id: id) else { return nil }
        return try token(id: id)
    }
}
