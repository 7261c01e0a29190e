internal import CLibSSH2
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Logs in with what the caller offered, in OpenSSH's order: the agent's keys, the identity
/// files, then the password. Offers only the methods the server lists, and on failure
/// explains in one line what was tried and what to try next. Never puts a password or
/// passphrase into a message.
struct Authenticator {
    let session: Session
    let credentials: SSHCredentials
    let deadline: Deadline
    let timeout: Duration

    /// What was tried, for the failure message.
    private struct Attempts {
        var agentKeys = 0
        var agentNote: String?
        var refusedKeys: [String] = []
        var unusableKeys: [String] = []
        var passwordRefused = false
    }

    func authenticate() throws {
        let target = session.target
        let user = target.user
        let userLength = UInt32(clamping: user.utf8.count)

        let list = try session.retryPointer(until: deadline, timeout: timeout) {
            libssh2_userauth_list($0, user, userLength)
        }
        guard let list else {
            if let handle = session.handle, libssh2_userauth_authenticated(handle) != 0 { return } // "none" accepted
            throw failure("did not list its login methods")
        }
        let methods = Set(String(cString: list).split(separator: ",").map(String.init))
        var attempts = Attempts()

        if methods.contains("publickey") {
            if credentials.agent, try tryAgent(user: user, attempts: &attempts) { return }
            for path in credentials.identityFiles {
                if try tryIdentityFile(IdentityFile(path: path), user: user, attempts: &attempts) { return }
            }
        }
        if let password = credentials.password {
            if methods.contains("password") {
                if try tryPassword(password, user: user) { return }
                attempts.passwordRefused = true
            } else if methods.contains("keyboard-interactive") {
                if try tryKeyboardInteractive(password, user: user) { return }
                attempts.passwordRefused = true
            }
        }
        throw SSHError(
            .authenticationFailed, target, Self.explain(attempts, methods: methods, credentials: credentials))
    }

    // MARK: - Methods

    private func tryAgent(user: String, attempts: inout Attempts) throws -> Bool {
        guard let socketPath = credentials.agentSocket ?? ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"],
            !socketPath.isEmpty
        else {
            attempts.agentNote = "no ssh-agent (SSH_AUTH_SOCK is not set)"
            return false
        }
        let shown = LocalPath.abbreviate(socketPath)
        guard let agent = AgentClient(path: socketPath, deadline: deadline, wakeup: session.wakeup) else {
            attempts.agentNote = "the ssh-agent at \(shown) did not answer"
            return false
        }
        let identities: [AgentClient.Identity]
        do throws(AgentClient.Failure) {
            identities = try agent.identities()
        } catch {
            try agentFailed(error, at: shown, attempts: &attempts)
            return false
        }
        for identity in identities {
            attempts.agentKeys += 1
            let signer = AgentSigner(agent: agent, blob: identity.blob)
            let code = try withExtendedLifetime(signer) {
                try session.retry(until: deadline, timeout: timeout) { handle in
                    var abstract: UnsafeMutableRawPointer? = Unmanaged.passUnretained(signer).toOpaque()
                    return identity.blob.withUnsafeBufferPointer { blob in
                        libssh2_userauth_publickey(
                            handle, user, blob.baseAddress, blob.count, AgentSigner.sign, &abstract)
                    }
                }
            }
            if let failure = signer.failure {
                try agentFailed(failure, at: shown, attempts: &attempts)
                return false
            }
            if code == 0 { return true }
            try rethrowIfTransport(code)
        }
        if attempts.agentKeys == 0 { attempts.agentNote = "the ssh-agent holds no keys" }
        return false
    }

    /// A silent agent ends the connect at its deadline, naming the agent; a broken one is
    /// passed over like a stale socket.
    private func agentFailed(_ failure: AgentClient.Failure, at shown: String, attempts: inout Attempts) throws {
        switch failure {
        case .cancelled:
            throw CancellationError()
        case .timedOut:
            throw SSHError(
                .connectTimedOut, session.target,
                "could not log in within \(timeout.shortDescription): the ssh-agent at \(shown) did not answer; check it (ssh-add -l), or unset SSH_AUTH_SOCK to log in with --identity"
            )
        case .broken(let reason):
            attempts.agentNote = "the ssh-agent at \(shown) answered with \(reason)"
        }
    }

    private func tryIdentityFile(_ file: IdentityFile, user: String, attempts: inout Attempts) throws -> Bool {
        var passphrase = ""
        switch file.inspect() {
        case .unreadable(let reason):
            attempts.unusableKeys.append("\(file.displayPath) (\(reason))")
            return false
        case .encrypted:
            guard let given = credentials.passphrase?(file.path) else {
                attempts.unusableKeys.append("\(file.displayPath) (encrypted; no passphrase given)")
                return false
            }
            passphrase = given
        case .plain:
            break
        }
        let userLength = UInt32(clamping: user.utf8.count)
        let privateKey = file.fullPath
        let code = try session.retry(until: deadline, timeout: timeout) {
            libssh2_userauth_publickey_fromfile_ex($0, user, userLength, nil, privateKey, passphrase)
        }
        switch code {
        case 0:
            return true
        case LIBSSH2_ERROR_AUTHENTICATION_FAILED, LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
            attempts.refusedKeys.append(file.displayPath)
            return false
        case LIBSSH2_ERROR_FILE, LIBSSH2_ERROR_KEYFILE_AUTH_FAILED, LIBSSH2_ERROR_METHOD_NOT_SUPPORTED:
            let reason = passphrase.isEmpty ? "unsupported key format" : "wrong passphrase or unsupported key format"
            attempts.unusableKeys.append("\(file.displayPath) (\(reason))")
            return false
        default:
            try rethrowIfTransport(code)
            attempts.unusableKeys.append("\(file.displayPath) (\(session.lastErrorMessage))")
            return false
        }
    }

    private func tryPassword(_ password: String, user: String) throws -> Bool {
        let userLength = UInt32(clamping: user.utf8.count)
        let passwordLength = UInt32(clamping: password.utf8.count)
        let code = try session.retry(until: deadline, timeout: timeout) {
            libssh2_userauth_password_ex($0, user, userLength, password, passwordLength, nil)
        }
        switch code {
        case 0:
            return true
        case LIBSSH2_ERROR_AUTHENTICATION_FAILED:
            return false
        case LIBSSH2_ERROR_PASSWORD_EXPIRED:
            throw failure("accepted the password but it has expired; log in once with ssh and set a new one")
        default:
            try rethrowIfTransport(code)
            return false
        }
    }

    /// keyboard-interactive with every prompt answered by the password (what dropbear and
    /// PAM-based servers ask for when they do not offer plain `password`).
    private func tryKeyboardInteractive(_ password: String, user: String) throws -> Bool {
        let context = session.context
        context.password = password
        defer { context.password = nil }
        let userLength = UInt32(clamping: user.utf8.count)
        let code = try session.retry(until: deadline, timeout: timeout) {
            libssh2_userauth_keyboard_interactive_ex($0, user, userLength) {
                _, _, _, _, count, _, responses, abstract in
                guard let responses, let password = SessionContext.from(abstract)?.password else { return }
                for index in 0..<Int(max(0, count)) {
                    // libssh2 frees each answer with free().
                    let answer = password.withCString { strdup($0) }
                    responses[index].text = answer
                    responses[index].length = answer.map { UInt32(strlen($0)) } ?? 0
                }
            }
        }
        if code == 0 { return true }
        try rethrowIfTransport(code)
        return false
    }

    // MARK: - Machinery

    private func rethrowIfTransport(_ code: Int32) throws {
        if LibSSH2.isTransportError(code) {
            throw session.lost("while logging in (the server may limit login attempts)")
        }
    }

    private func failure(_ message: String) -> SSHError {
        SSHError(.authenticationFailed, session.target, message)
    }

    /// One line: what was refused, what could not be used, and what to try.
    private static func explain(_ attempts: Attempts, methods: Set<String>, credentials: SSHCredentials) -> String {
        let acceptsPassword = methods.contains("password") || methods.contains("keyboard-interactive")
        let acceptsKeys = methods.contains("publickey")
        var refused: [String] = []
        if !attempts.refusedKeys.isEmpty {
            let keys =
                (attempts.refusedKeys.count == 1 ? "key " : "keys ") + attempts.refusedKeys.joined(separator: ", ")
            refused.append(
                attempts.agentKeys > 0 ? "\(keys) (and the agent's \(Self.count(attempts.agentKeys, "key")))" : keys)
        } else if attempts.agentKeys > 0 {
            refused.append("the agent's \(Self.count(attempts.agentKeys, "key"))")
        }
        if attempts.passwordRefused { refused.append("the password") }

        var message = refused.isEmpty ? "accepted no login" : "refused " + refused.joined(separator: " and ")
        if !attempts.unusableKeys.isEmpty {
            message += "; could not use " + attempts.unusableKeys.joined(separator: ", ")
        }
        if refused.isEmpty && attempts.unusableKeys.isEmpty {
            let note = attempts.agentNote.map { " (\($0))" } ?? ""
            message += ": nothing to offer\(note)"
        }

        let hint: String
        if attempts.passwordRefused {
            hint = acceptsKeys ? "check it or use --identity" : "check it"
        } else if credentials.password == nil && acceptsPassword {
            hint = "try --password"
        } else if credentials.password != nil && !acceptsPassword {
            hint =
                "it does not accept passwords (it offers: \(methods.sorted().joined(separator: ","))); use --identity with a key in /etc/dropbear/authorized_keys"
        } else if acceptsKeys {
            hint = "use --identity with a key listed in the router's /etc/dropbear/authorized_keys"
        } else {
            hint = "it offers only: \(methods.sorted().joined(separator: ","))"
        }
        return message + "; " + hint
    }

    private static func count(_ number: Int, _ noun: String) -> String {
        number == 1 ? "1 \(noun)" : "\(number) \(noun)s"
    }
}
