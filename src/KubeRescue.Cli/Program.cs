using System.CommandLine;
using KubeRescue.Cli;
using KubeRescue.Cli.Commands.Recover;
using KubeRescue.Cli.Commands.Render;
using KubeRescue.Cli.Commands.Status;
using KubeRescue.Cli.Commands.Version;

var root = new RootCommand("kube-rescue: diagnose and recover a self-hosted Kubernetes control plane, and rehearse it on an emulated lab.")
{
    StatusCommand.Create(),
    RenderCommand.Create(),
    RecoverCommand.Create(),
    VersionCommand.Create(),
};
#if KUBE_RESCUE_LAB
root.Subcommands.Insert(0, KubeRescue.Cli.Commands.Drill.DrillCommand.Create());
root.Subcommands.Add(KubeRescue.Cli.Commands.Lab.LabCommand.Create());
#else
root.Description = "kube-rescue: diagnose and recover a self-hosted Kubernetes control plane. This build has no lab: `drill` and `lab` are in the JIT build (./kube-rescue, docs/install.md).";
#endif
return await Plugin.InvokeAsync(root, args);
