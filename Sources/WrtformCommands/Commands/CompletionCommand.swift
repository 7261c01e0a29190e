import ArgumentParser

extension Wrtform {
    struct CompletionCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "completion",
            abstract: "Print the shell completion script for bash, zsh or fish.",
            discussion: """
                Examples:
                  wrtform completion bash > /etc/bash_completion.d/wrtform
                  wrtform completion zsh > "${fpath[1]}/_wrtform"
                  wrtform completion fish > ~/.config/fish/completions/wrtform.fish
                """)

        @Argument(help: "bash, zsh or fish.") var shell: String

        func validate() throws {
            guard CompletionShell(rawValue: shell) != nil else {
                throw ValidationError("no completion for '\(shell)': bash, zsh or fish")
            }
        }

        func run() throws {
            guard let kind = CompletionShell(rawValue: shell) else { return }
            Console.current.out(Wrtform.completionScript(for: kind))
        }
    }
}
