# Warnings on and clean in project code (dependencies are included as system headers).
# -Wno-missing-field-initializers: GCC before 14 warns when a designated initializer omits a
# member that has a default ({.n_trials = 100}), which is exactly how options structs are meant
# to be used.
function(hpo_enable_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic
    -Wno-missing-field-initializers)
endfunction()
