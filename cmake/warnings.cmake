# Warnings on and clean in project code (dependencies are included as system headers).
function(hpo_enable_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
endfunction()
