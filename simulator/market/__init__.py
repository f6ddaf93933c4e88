"""Drawing one synthetic Match year: published inputs, parameters, programs, applicants, applications, interviews, rank-order lists, focal copies."""
