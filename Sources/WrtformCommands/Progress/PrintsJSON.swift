/// A command with `--json`: its document alone goes out, so no progress line is drawn for it.
protocol PrintsJSON {
    var json: Bool { get }
}

extension Wrtform.PlanCommand: PrintsJSON {}
extension Wrtform.ApplyCommand: PrintsJSON {}
extension Wrtform.ConfirmCommand: PrintsJSON {}
extension Wrtform.AbortCommand: PrintsJSON {}
extension Wrtform.RollbackCommand: PrintsJSON {}
extension Wrtform.HistoryCommand: PrintsJSON {}
extension Wrtform.FactsCommand: PrintsJSON {}
extension Wrtform.DoctorCommand: PrintsJSON {}
extension Wrtform.DestroyCommand: PrintsJSON {}
extension Wrtform.StateCommand.Show: PrintsJSON {}
