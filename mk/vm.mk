# mk/vm.mk: placeholder until filled
