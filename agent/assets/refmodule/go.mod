module devfleet.invalid/refmodule

go 1.19
