using System.CommandLine;

namespace KubeRescue.Cli.Commands.Lab;

/// <summary><c>kube-rescue lab</c>: the embedded, emulated cluster.</summary>
public static class LabCommand
{
    public static Command Create(Streams streams) => new("lab", """
        Run the embedded lab: an emulated self-hosted Kubernetes cluster in one process (API server, kubelets,
        scheduler and controller-manager with leader election), and break it on purpose.

        Examples:
          kube-rescue lab up --kubeconfig /tmp/lab.kubeconfig
          kube-rescue lab break scheduler --kubeconfig /tmp/lab.kubeconfig
          kube-rescue lab break node master-1 --crash --kubeconfig /tmp/lab.kubeconfig
        """)
    {
        LabUpCommand.Create(streams),
        LabBreakCommand.Create(streams),
    };
}
