using System.CommandLine;

namespace KubeRescue.Cli.Commands.Completion;

/// <summary>
/// <c>kube-rescue completion SHELL</c>: a script that asks the binary itself what can come next (System.CommandLine's
/// <c>[suggest:POSITION]</c> directive), so completions always match the binary's own commands, options and values.
/// </summary>
public static class CompletionCommand
{
    public static readonly string[] Shells = ["bash", "zsh", "fish", "powershell", "kubectl-plugin"];

    public static Command Create(Streams streams)
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh, fish, powershell, or kubectl-plugin (for `kubectl rescue <TAB>`)." };
        shell.AcceptOnlyFromAmong(Shells);
        var command = new Command("completion", """
            Print a shell completion script. It completes commands, options and their values by asking this binary,
            so it never goes stale. kubectl-plugin prints the `kubectl_complete-rescue` helper that kubectl 1.26+
            runs to complete `kubectl rescue <TAB>`.

            Examples:
              source <(kube-rescue completion bash)                       # bash, this shell
              kube-rescue completion bash > /etc/bash_completion.d/kube-rescue
              kube-rescue completion zsh > "${fpath[1]}/_kube-rescue"
              kube-rescue completion fish > ~/.config/fish/completions/kube-rescue.fish
              kube-rescue completion powershell | Out-String | Invoke-Expression
              kube-rescue completion kubectl-plugin > ~/bin/kubectl_complete-rescue && chmod +x ~/bin/kubectl_complete-rescue
            """)
        {
            shell,
        };
        Verb.SetAction(command, streams, result => new Options(result.GetValue(shell)!, result.RootCommandResult.Command.Name));
        return command;
    }

    /// <summary>The shell, and the name the binary was called by (the command the script completes).</summary>
    sealed record Options(string Shell, string Name) : IVerbOptions
    {
        // The shell is one System.CommandLine accepted.
        public string? Validate() => null;

        public Task<int> RunAsync(Streams streams, CancellationToken ct)
        {
            streams.Out.Write(Script(Shell, Name));
            return Task.FromResult(0);
        }
    }

    /// <summary>The script for <paramref name="shell"/>, completing the command called <paramref name="name"/>.</summary>
    public static string Script(string shell, string name)
    {
        var function = "_" + name.Replace('-', '_') + "_complete";
        return shell switch
        {
            "bash" => $$"""
                # bash completion for {{name}}; the binary lists the candidates for the line up to the cursor.
                {{function}}() {
                  local IFS=$'\n'
                  COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
                }
                complete -o default -F {{function}} {{name}}

                """,
            "zsh" => $$"""
                #compdef {{name}}
                # zsh completion for {{name}}; the binary lists the candidates for the line up to the cursor.
                {{function}}() {
                  local line="${(j: :)words[1,CURRENT]}"
                  local -a candidates
                  candidates=("${(@f)$("${words[1]}" "[suggest:${#line}]" "$line" 2>/dev/null)}")
                  compadd -a candidates
                }
                compdef {{function}} {{name}}

                """,
            "fish" => $$"""
                # fish completion for {{name}}; the binary lists the candidates for the line up to the cursor.
                complete -c {{name}} -f -a '(set -l line (commandline -cp); {{name}} "[suggest:"(string length -- "$line")"]" "$line" 2>/dev/null)'

                """,
            "powershell" => $$"""
                # PowerShell completion for {{name}}; the binary lists the candidates for the line up to the cursor.
                Register-ArgumentCompleter -Native -CommandName '{{name}}' -ScriptBlock {
                  param($wordToComplete, $commandAst, $cursorPosition)
                  $line = $commandAst.ToString()
                  $position = $cursorPosition - $commandAst.Extent.StartOffset
                  & '{{name}}' "[suggest:$position]" "$line" 2>$null | ForEach-Object {
                    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
                  }
                }

                """,
            // kubectl runs kubectl_complete-<plugin> with the words after `kubectl <plugin>` (the last one the word
            // being completed) and reads cobra's format: one candidate per line, then ":<directive>" (4: no file names).
            _ => """
                #!/bin/sh
                # kubectl_complete-rescue: kubectl (1.26+) runs this to complete `kubectl rescue <TAB>`.
                line="kubectl-rescue $*"
                kubectl-rescue "[suggest:${#line}]" "$line" 2>/dev/null
                echo ":4"

                """,
        };
    }
}
