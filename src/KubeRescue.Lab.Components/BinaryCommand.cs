namespace KubeRescue.Lab.Components;

/// <summary>How the Kubernetes binaries are invoked in pod specs: as themselves (<c>kube-scheduler</c>, any path to it)
/// or through hyperkube with a sub-command (<c>./hyperkube scheduler</c>, <c>/hyperkube kube-scheduler</c>).</summary>
public static class BinaryCommand
{
    public static bool Recognizes(IReadOnlyList<string> command, string binary, IReadOnlyList<string> hyperkubeCommands, out IReadOnlyList<string> args)
    {
        args = [];
        if (command.Count == 0) return false;
        var program = Path.GetFileName(command[0]);
        if (program == binary)
        {
            args = command.Skip(1).ToList();
            return true;
        }
        if (program == "hyperkube" && command.Count > 1 && hyperkubeCommands.Contains(command[1]))
        {
            args = command.Skip(2).ToList();
            return true;
        }
        return false;
    }
}
