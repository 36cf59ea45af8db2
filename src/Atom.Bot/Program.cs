Console.WriteLine("atom");
