/// Exit codes (Terraform's -detailed-exitcode for plan): 0 nothing pending or success, 1 error,
/// 2 changes pending.
public enum WrtformExit {
    public static let success: Int32 = 0
    public static let failure: Int32 = 1
    public static let changesPending: Int32 = 2
}

/// Thrown by a command that has already printed why it stops.
struct ExitWith: Error {
    var code: Int32
}
