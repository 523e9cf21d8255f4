using System.CommandLine;

namespace KubeRescue.Cli.Commands.Lab;

/// <summary><c>kube-rescue lab</c>: the embedded, emulated cluster.</summary>
public static class LabCommand
{
    public static Command Create() => new("lab", "Run the embedded lab: an emulated Kubernetes cluster in one process.")
    {
        LabUpCommand.Create(),
        LabBreakCommand.Create(),
    };
}
