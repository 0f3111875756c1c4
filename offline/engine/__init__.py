"""The offline engine: the program run under mocks, a stack export read back, the update replayed
against AWS's rules, and the policy pack driven as the CLI drives it."""
