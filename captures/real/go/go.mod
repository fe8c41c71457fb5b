module tlsdiag-lab/tlspeer

go 1.19
