/// Routing tables ip(8) knows by name without an rt_tables entry.
enum RoutingTables {
    /// Names and numbers ip(8) knows without rt_tables.
    static func isBuiltIn(_ table: String) -> Bool {
        ["main", "local", "default", "unspec"].contains(table)
    }
}
