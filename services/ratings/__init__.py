"""好差评: applicants rate decided applications; a bad rating opens a rectification (整改) for the deciding department."""
