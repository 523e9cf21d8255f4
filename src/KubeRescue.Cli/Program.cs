using System.CommandLine;
using KubeRescue.Cli.Commands.Drill;
using KubeRescue.Cli.Commands.Lab;
using KubeRescue.Cli.Commands.Recover;
using KubeRescue.Cli.Commands.Render;
using KubeRescue.Cli.Commands.Status;

var root = new RootCommand("kube-rescue: diagnose and recover a self-hosted Kubernetes control plane, and rehearse it on an emulated lab.")
{
    DrillCommand.Create(),
    StatusCommand.Create(),
    RenderCommand.Create(),
    RecoverCommand.Create(),
    LabCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
