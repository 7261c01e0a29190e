/// wrtform's own version: `wrtform --version`, `wrtform_version` in every `--json` document, and
/// in saved plans, so a bug report says which wrtform wrote what.
public enum WrtformVersion {
    public static let current = "0.1.0"
}
