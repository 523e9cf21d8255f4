Console.WriteLine("kube-rescue");
