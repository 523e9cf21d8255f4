using System.CommandLine;
using KubeRescue.Cli.Commands.Lab;

var root = new RootCommand("kube-rescue: diagnose and recover a self-hosted Kubernetes control plane, and rehearse it on an emulated lab.")
{
    LabCommand.Create(),
    KubeRescue.Cli.Commands.Status.StatusCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
